package dev.strata.engine.store;

import io.minio.credentials.Credentials;
import io.minio.credentials.Provider;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Temporary credentials for minio-java's client, fetched again well before they expire.
 * minio-java's own providers refresh only 10 seconds before expiry and cannot say when they will;
 * here the refresh comes at a quarter of the credentials' lifetime before expiry (at most five
 * minutes before), so a burst of uploads never signs with keys about to lapse. When a refresh fails
 * while the keys held are still good, they keep serving and the refresh is tried again a few
 * seconds later: a blip at the STS does not fail a backup. Every request thread calls {@link
 * #fetch}; only one of them refreshes, the others wait for it.
 */
final class RefreshingCredentials implements Provider {

  private static final Logger LOG = LoggerFactory.getLogger(RefreshingCredentials.class);

  /** The longest time before expiry a refresh comes. */
  static final Duration MAX_MARGIN = Duration.ofMinutes(5);

  /**
   * Keys this close to expiry are not used any more: a request signed with them could arrive after
   * they lapse.
   */
  static final Duration LAST_USE = Duration.ofSeconds(15);

  /** After a failed refresh, how long the keys held keep serving before the next try. */
  static final Duration RETRY_AFTER = Duration.ofSeconds(5);

  /** Where temporary credentials come from (an STS, a credentials endpoint). */
  interface Source {
    /**
     * @param renewing true when credentials were fetched before (an unknown host is then a blip,
     *     not a typo)
     * @throws StoreException saying what failed and, when a person must act, what to fix
     */
    Session fetch(boolean renewing);
  }

  /** Credentials and the time they expire, or null when they do not. */
  record Session(Credentials credentials, Instant expiration) {
    Session {
      Objects.requireNonNull(credentials, "credentials");
    }
  }

  /** Credentials held, when to fetch new ones, and the last moment to sign with these. */
  record Held(Credentials credentials, Instant refreshAt, Instant lastUse) {}

  private final Source source;
  private final InstantSource clock;
  private volatile Held held;
  private Instant nextTry = Instant.MIN;

  RefreshingCredentials(Source source, InstantSource clock) {
    this.source = source;
    this.clock = clock;
  }

  @Override
  public Credentials fetch() {
    Held h = held;
    if (h != null && clock.instant().isBefore(h.refreshAt())) {
      return h.credentials();
    }
    synchronized (this) {
      Instant now = clock.instant();
      h = held;
      if (h != null && now.isBefore(h.refreshAt())) {
        return h.credentials();
      }
      boolean usable = h != null && now.isBefore(h.lastUse());
      if (usable && now.isBefore(nextTry)) {
        return h.credentials();
      }
      try {
        Session session = source.fetch(h != null);
        Held next = hold(session, now);
        held = next;
        LOG.debug("temporary credentials fetched; refreshing at {}", next.refreshAt());
        return next.credentials();
      } catch (StoreException e) {
        if (!usable) {
          throw e;
        }
        nextTry = now.plus(RETRY_AFTER);
        LOG.warn(
            "refreshing temporary credentials failed; the current ones serve until {}: {}",
            h.lastUse(),
            e.getMessage());
        return h.credentials();
      }
    }
  }

  /** When to refresh and when to stop using a session fetched at {@code now}. */
  static Held hold(Session session, Instant now) {
    Instant expiration = session.expiration();
    if (expiration == null) {
      return new Held(session.credentials(), Instant.MAX, Instant.MAX);
    }
    Duration lifetime = Duration.between(now, expiration);
    Duration margin = lifetime.dividedBy(4);
    if (margin.compareTo(MAX_MARGIN) > 0) {
      margin = MAX_MARGIN;
    }
    if (margin.compareTo(LAST_USE) < 0) {
      margin = LAST_USE; // short-lived keys: refresh no later than their last use
    }
    return new Held(session.credentials(), expiration.minus(margin), expiration.minus(LAST_USE));
  }
}
