package io.github.wechatmp.test;

import java.time.Instant;

/**
 * A temporary medium the stand-in accepted on {@code cgi-bin/media/upload}, as it received it.
 *
 * @param mediaId the media ID it answered with
 * @param type the media type: {@code image}, {@code voice}, {@code video} or {@code thumb}
 * @param filename the multipart part's file name
 * @param contentType the part's content type, or "" if it had none
 * @param size the file's size in bytes
 * @param createdAt when it was received, by the stand-in's clock
 */
public record ReceivedMedia(
    String mediaId,
    String type,
    String filename,
    String contentType,
    int size,
    Instant createdAt) {}
