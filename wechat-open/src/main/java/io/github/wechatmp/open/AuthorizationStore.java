package io.github.wechatmp.open;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The durable record of the official accounts that authorized the platform: for each, the {@code
 * authorizer_refresh_token} that WeChat issues only once (see {@link Authorization}).
 *
 * <p>The promises every implementation keeps, checked by {@code AuthorizationStoreContract} in
 * {@code wechat-token-store-tck}:
 *
 * <ol>
 *   <li><b>Durable before it returns.</b> When {@link #save} returns, the record survives the
 *       process being killed at the next instruction (a committed transaction, an {@code fsync}ed
 *       file). The platform saves a refresh token before it answers WeChat's event or tells anyone
 *       the authorization succeeded.
 *   <li><b>Never older.</b> {@link #save} replaces a stored record only with one whose {@link
 *       Authorization#updatedAt()} is the same or later, atomically, across every instance on the
 *       same storage; a save that would go back in time changes nothing and returns {@code false}.
 *   <li><b>Whole records.</b> A reader, in this or another instance, sees a record as one save left
 *       it, never a mix of two.
 *   <li><b>Never deleted silently.</b> There is no delete: a cancelled authorization is a record in
 *       {@link Authorization.State#REVOKED}.
 *   <li><b>Loud failures.</b> A storage that cannot be reached, and a stored record that cannot be
 *       read, are {@link AuthorizationStoreException}s naming the store (and the account), never an
 *       empty answer: treating a damaged record as absent would make the platform ask a merchant to
 *       authorize again. No exception message holds a refresh token.
 * </ol>
 *
 * <p>Implementations are thread-safe. Arguments are checked as {@link
 * Authorization#checkAppId(String)} does; {@code null} is a {@link NullPointerException}.
 */
public interface AuthorizationStore {
  /** The most records {@link #list} returns at once. */
  int MAX_PAGE = 1_000;

  /**
   * Reads the record of one account.
   *
   * @param authorizerAppId the account's AppID
   * @return the record, or empty if the account never authorized the platform
   * @throws AuthorizationStoreException if the storage cannot be read or the record is damaged
   */
  Optional<Authorization> find(String authorizerAppId);

  /**
   * Stores a record durably, unless the store holds a later version of it.
   *
   * @param authorization the record
   * @return {@code true} if it is now the stored version; {@code false} if the store holds one with
   *     a later {@link Authorization#updatedAt()}, which it keeps
   * @throws AuthorizationStoreException if it could not be stored; it may then be stored or not
   */
  boolean save(Authorization authorization);

  /**
   * Reads one page of records in the order of their AppIDs as the storage orders them (byte order
   * for WeChat's lower-case AppIDs), for loading every authorizer at start-up and for recovery.
   * Paging on from the last AppID of each page visits every record exactly once.
   *
   * @param afterAuthorizerAppId the last AppID of the previous page (exclusive), or {@code null}
   *     for the first page
   * @param limit the most records to return, 1 to {@link #MAX_PAGE}
   * @return the page; fewer than {@code limit} records (possibly none) means it is the last
   * @throws AuthorizationStoreException if the storage cannot be read or a record is damaged
   * @throws IllegalArgumentException if {@code limit} is out of range
   */
  List<Authorization> list(String afterAuthorizerAppId, int limit);

  /**
   * Counts the records in each state, for health reports (counts, not a hundred thousand entries).
   *
   * @return a count for every {@link Authorization.State}, zero included
   * @throws AuthorizationStoreException if the storage cannot be read
   */
  Map<Authorization.State, Long> countByState();

  /**
   * Checks {@link #list}'s arguments as every store does.
   *
   * @param afterAuthorizerAppId the AppID after which to start, or null
   * @param limit the page size
   * @throws IllegalArgumentException if either is out of range
   */
  static void checkListArguments(String afterAuthorizerAppId, int limit) {
    if (afterAuthorizerAppId != null) {
      Authorization.checkAppId(afterAuthorizerAppId);
    }
    if (limit < 1 || limit > MAX_PAGE) {
      throw new IllegalArgumentException("limit must be 1 to " + MAX_PAGE + ", not " + limit);
    }
  }
}
