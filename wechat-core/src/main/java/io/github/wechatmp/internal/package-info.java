/**
 * Implementation details shared by the SDK's modules. Not part of the API: nothing here is stable,
 * and the Java module does not export it.
 */
package io.github.wechatmp.internal;
