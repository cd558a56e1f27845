/** The callback's shared pieces: the message records' field maps. Not exported. */
package io.github.wechatmp.internal.callback;
