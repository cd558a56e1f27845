/**
 * {@link io.github.wechatmp.store.file.FileTokenStore}: a token store that the processes of one
 * host share through one JSON file.
 */
package io.github.wechatmp.store.file;
