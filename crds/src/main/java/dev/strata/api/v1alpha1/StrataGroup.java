package dev.strata.api.v1alpha1;

/** Names shared by every Strata resource. */
public final class StrataGroup {
  public static final String GROUP = "strata.dev";
  public static final String VERSION = "v1alpha1";
  public static final String API_VERSION = GROUP + "/" + VERSION;

  private StrataGroup() {}
}
