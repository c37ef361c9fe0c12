package dev.strata.operator.metrics;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The runs whose end was counted, by the object's UID: a reconcile that reads the object before its
 * own status patch is visible (the label patch's event comes first) sees the same end again, and
 * counting it twice would move the failure alert's {@code increase()} for one failure. Bounded: the
 * oldest are forgotten first, long after their status records the end (which stops a recount by
 * itself).
 */
public final class FinishedRuns {

  static final int REMEMBERED = 10_000;

  private final Map<String, Boolean> counted =
      new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
          return size() > REMEMBERED;
        }
      };

  /** True the first time the end of the run with that UID is seen; false after. */
  public synchronized boolean first(String uid) {
    if (uid == null) {
      return true; // an object that never was stored: nothing to match it by
    }
    return counted.put(uid, Boolean.TRUE) == null;
  }
}
