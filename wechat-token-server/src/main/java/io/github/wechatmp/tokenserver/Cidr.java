package io.github.wechatmp.tokenserver;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.regex.Pattern;

/** An address range of the allow list, such as {@code 10.0.0.0/8} or {@code ::1/128}. Immutable. */
final class Cidr {
  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
  private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");

  static final Cidr IPV4_LOOPBACK = parse("127.0.0.0/8");
  static final Cidr IPV6_LOOPBACK = parse("::1/128");

  private final byte[] network;
  private final int prefix;
  private final String text;

  private Cidr(byte[] network, int prefix, String text) {
    this.network = network;
    this.prefix = prefix;
    this.text = text;
  }

  /** Returns whether an allow list lets {@code remote} in: an empty list allows every address. */
  static boolean allows(List<Cidr> allowList, InetAddress remote) {
    if (allowList.isEmpty()) {
      return true;
    }
    for (Cidr c : allowList) {
      if (c.contains(remote)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Parses {@code address/prefix}, or a bare address (a single host). Only literal addresses: a
   * host name would make the allow list depend on DNS.
   *
   * @throws IllegalArgumentException with a message fit for a configuration error
   */
  static Cidr parse(String text) {
    String t = text.strip();
    int slash = t.indexOf('/');
    String address = slash < 0 ? t : t.substring(0, slash);
    if (!IPV4.matcher(address).matches() && !IPV6.matcher(address).matches()) {
      throw new IllegalArgumentException(
          "'" + t + "' is not an IP address or CIDR range such as 10.0.0.0/8 or fd00::/8");
    }
    byte[] bytes;
    try {
      bytes = InetAddress.getByName(address).getAddress(); // a literal: no DNS lookup
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("'" + t + "' is not a valid IP address");
    }
    int max = bytes.length * 8;
    int prefix = max;
    if (slash >= 0) {
      try {
        prefix = Integer.parseInt(t.substring(slash + 1));
      } catch (NumberFormatException e) {
        prefix = -1;
      }
      if (prefix < 0 || prefix > max) {
        throw new IllegalArgumentException("'" + t + "' has a prefix length outside 0 to " + max);
      }
    }
    return new Cidr(mask(bytes, prefix), prefix, t);
  }

  boolean contains(InetAddress address) {
    byte[] a = address.getAddress();
    if (a.length != network.length) {
      // An IPv4 client of a dual-stack socket may arrive as ::ffff:a.b.c.d.
      if (a.length == 16 && network.length == 4 && isMappedIpv4(a)) {
        byte[] v4 = new byte[4];
        System.arraycopy(a, 12, v4, 0, 4);
        a = v4;
      } else {
        return false;
      }
    }
    byte[] masked = mask(a, prefix);
    return java.util.Arrays.equals(masked, network);
  }

  private static boolean isMappedIpv4(byte[] a) {
    for (int i = 0; i < 10; i++) {
      if (a[i] != 0) {
        return false;
      }
    }
    return a[10] == (byte) 0xff && a[11] == (byte) 0xff;
  }

  private static byte[] mask(byte[] bytes, int prefix) {
    byte[] m = bytes.clone();
    for (int i = 0; i < m.length; i++) {
      int bits = Math.max(0, Math.min(8, prefix - i * 8));
      m[i] = (byte) (m[i] & (0xff00 >> bits));
    }
    return m;
  }

  @Override
  public String toString() {
    return text;
  }
}
