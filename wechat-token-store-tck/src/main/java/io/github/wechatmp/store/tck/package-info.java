/**
 * {@link io.github.wechatmp.store.tck.TokenStoreContract}: the {@code TokenStore} SPI's promises as
 * JUnit 5 tests, for every store, the SDK's and users' own.
 */
package io.github.wechatmp.store.tck;
