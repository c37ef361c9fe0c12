package dev.strata.e2e.chart;

import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The operator's permissions as the tests expect them: the golden copy of the chart's rules (a
 * change to the chart's RBAC must change this file too, on purpose), and for every single
 * permission the test step that proves the operator uses it. ChartRbacTest checks the chart against
 * this; ChartOnControlPlaneTest checks, in the API server's audit log, that the operator really
 * made each of these requests during its flows and was never refused.
 */
final class ExpectedRbac {

  private ExpectedRbac() {}

  /**
   * The rules of each Role (watched namespaces), and the first of the ClusterRole (all namespaces),
   * in the chart's order.
   */
  static final List<PolicyRule> RULES =
      List.of(
          rule("strata.dev", "statesnapshots", "get", "list", "watch", "create", "delete", "patch"),
          rule("strata.dev", "statesnapshots/status", "patch"),
          rule("strata.dev", "statesnapshots/finalizers", "update"),
          rule("strata.dev", "snapshotstores", "list", "watch"),
          rule("strata.dev", "snapshotstores/status", "patch"),
          rule("strata.dev", "snapshotschedules", "list", "watch"),
          rule("strata.dev", "snapshotschedules/status", "patch"),
          rule("strata.dev", "retentionpolicies", "list", "watch"),
          rule("strata.dev", "retentionpolicies/status", "patch"),
          rule("strata.dev", "restorepolicies", "list", "watch"),
          rule("strata.dev", "restorepolicies/status", "patch"),
          rule("strata.dev", "staterestores", "list", "watch", "create"),
          rule("strata.dev", "staterestores/status", "patch"),
          rule("strata.dev", "staterestores/finalizers", "update"),
          rule("batch", "jobs", "create", "delete", "list", "watch", "patch"),
          rule("", "pods", "get", "list", "watch", "patch"),
          rule("", "persistentvolumeclaims", "get", "create", "list"),
          rule("apps", "statefulsets", "get"),
          rule("", "secrets", "get", "list", "watch"),
          rule("", "configmaps", "get", "list", "watch"),
          rule("", "serviceaccounts", "get"),
          rule("events.k8s.io", "events", "create"));

  /**
   * All namespaces only: the cluster's StorageClasses (informer), whose binding mode says whether a
   * restore's target binds only when the runner's pod uses it (WaitForFirstConsumer).
   */
  static final List<PolicyRule> STORAGE_CLASS_RULES =
      List.of(rule("storage.k8s.io", "storageclasses", "list", "watch"));

  /** The rules of the ClusterRole (all namespaces): those of each Role, then the StorageClasses. */
  static final List<PolicyRule> CLUSTER_RULES = concat(RULES, STORAGE_CLASS_RULES);

  private static List<PolicyRule> concat(List<PolicyRule> a, List<PolicyRule> b) {
    List<PolicyRule> all = new java.util.ArrayList<>(a);
    all.addAll(b);
    return List.copyOf(all);
  }

  /**
   * Without clusterId: the ClusterRole that reads the kube-system namespace, whose UID names the
   * cluster.
   */
  static final List<PolicyRule> CLUSTER_ID_RULES =
      List.of(
          new PolicyRuleBuilder()
              .withApiGroups("")
              .withResources("namespaces")
              .withResourceNames("kube-system")
              .withVerbs("get")
              .build());

  static final String LEASE_NAME = "strata-operator";

  /**
   * The leader-election Role in the release namespace of the release named "strata" (Deployment
   * strata).
   */
  static final List<PolicyRule> LEASE_RULES = leaseRules("strata");

  /**
   * The leader-election Role in the release namespace: the Lease, and the operator's Deployment
   * {@code deployment} read for the uid that makes it the Lease's owner (LeaseOwnership: the Lease
   * is garbage-collected on helm uninstall).
   */
  static List<PolicyRule> leaseRules(String deployment) {
    return List.of(
        rule("coordination.k8s.io", "leases", "create"),
        new PolicyRuleBuilder()
            .withApiGroups("coordination.k8s.io")
            .withResources("leases")
            .withResourceNames(LEASE_NAME)
            .withVerbs("get", "update", "patch", "delete")
            .build(),
        new PolicyRuleBuilder()
            .withApiGroups("apps")
            .withResources("deployments")
            .withResourceNames(deployment)
            .withVerbs("get")
            .build());
  }

  static final String WEBHOOK_CONFIGURATION = "strata-restore-policy";
  static final String WEBHOOK_SECRET = "strata-webhook-tls";

  /**
   * With webhook.enabled: the ClusterRole for the chart's MutatingWebhookConfiguration, whose
   * webhooks the operator writes; no create (Helm creates and deletes it, so nothing re-creates it
   * after helm uninstall).
   */
  static final List<PolicyRule> WEBHOOK_CLUSTER_RULES =
      List.of(
          new PolicyRuleBuilder()
              .withApiGroups("admissionregistration.k8s.io")
              .withResources("mutatingwebhookconfigurations")
              .withResourceNames(WEBHOOK_CONFIGURATION)
              .withVerbs("get", "update")
              .build());

  /**
   * With webhook.enabled: the Role in the release namespace for the webhook's TLS Secret (of the
   * release named "strata", whose webhook Service is strata-webhook).
   */
  static final List<PolicyRule> WEBHOOK_SECRET_RULES = webhookSecretRules("strata-webhook", false);

  /**
   * The webhook's Role: the TLS Secret (created by the operator unless cert-manager writes it), and
   * the webhook Service {@code service} read for the uid that makes it the Secret's owner
   * (garbage-collected with it on helm uninstall).
   */
  static List<PolicyRule> webhookSecretRules(String service, boolean certManager) {
    List<PolicyRule> rules = new java.util.ArrayList<>();
    if (!certManager) {
      rules.add(rule("", "secrets", "create"));
    }
    rules.add(
        new PolicyRuleBuilder()
            .withApiGroups("")
            .withResources("secrets")
            .withResourceNames(WEBHOOK_SECRET)
            .withVerbs("get", "update", "delete")
            .build());
    rules.add(
        new PolicyRuleBuilder()
            .withApiGroups("")
            .withResources("services")
            .withResourceNames(service)
            .withVerbs("get")
            .build());
    return List.copyOf(rules);
  }

  /**
   * With hooks.enabled: exec into the pods of the namespaces hooks run in, and nothing else. Kept
   * out of {@link #all()}: the control-plane tests run no pod that could be exec'd into; HooksTest
   * runs hooks under exactly this rule, on the real node, with the operator installed by the chart.
   */
  static final List<PolicyRule> HOOK_RULES = List.of(rule("", "pods/exec", "get", "create"));

  /** Every rule the chart can grant (webhook on). */
  static List<PolicyRule> all() {
    List<PolicyRule> all = new java.util.ArrayList<>(CLUSTER_RULES);
    all.addAll(CLUSTER_ID_RULES);
    all.addAll(LEASE_RULES);
    all.addAll(WEBHOOK_CLUSTER_RULES);
    all.addAll(WEBHOOK_SECRET_RULES);
    return all;
  }

  /**
   * Permissions only the webhook needs (proved by ChartOnControlPlaneTest's webhook test, not the
   * default install).
   */
  static Set<String> webhookOnly() {
    Set<String> only = new TreeSet<>(permissions(WEBHOOK_CLUSTER_RULES));
    only.addAll(permissions(WEBHOOK_SECRET_RULES));
    List<PolicyRule> rest = new java.util.ArrayList<>(CLUSTER_RULES);
    rest.addAll(CLUSTER_ID_RULES);
    rest.addAll(LEASE_RULES);
    only.removeAll(permissions(rest));
    return only;
  }

  /**
   * For each permission ("group/resource[/subresource] verb", "core" for the empty group), the step
   * of ChartOnControlPlaneTest that makes the operator use it (the audit log shows the request). A
   * few permissions are never the verb of a request of their own, see {@link #NOT_A_REQUEST}.
   */
  static final Map<String, String> EXERCISED_BY = exercisedBy();

  /**
   * Permissions needed although the operator sends no request with that verb, and the test that
   * removes each one and shows what breaks: the OwnerReferencesPermissionEnforcement admission
   * plugin checks the finalizers rules while admitting a backup or restore Job
   * (blockOwnerDeletion); java-operator-sdk checks Lease update before it starts leader election;
   * the same plugin lets only who may delete an object change its ownerReferences (the Lease's and
   * the webhook Secret's owners, which make helm uninstall take them); java-operator-sdk GETs a
   * StateSnapshot only when a finalizer patch conflicts, which a test cannot bring about at will.
   */
  static final Map<String, String> NOT_A_REQUEST =
      Map.of(
          "coordination.k8s.io/leases delete",
              "ChartOnControlPlaneTest#helmUninstallOfAWebhookReleaseLeavesNoConfigurationSecretOrLeaseBehind",
          "core/secrets delete",
              "ChartOnControlPlaneTest#helmUninstallOfAWebhookReleaseLeavesNoConfigurationSecretOrLeaseBehind",
          "strata.dev/statesnapshots/finalizers update",
              "ChartOnControlPlaneTest#withoutTheFinalizersRulesNoRunnerJobIsAdmitted",
          "strata.dev/staterestores/finalizers update",
              "ChartOnControlPlaneTest#withoutTheFinalizersRulesNoRunnerJobIsAdmitted",
          "coordination.k8s.io/leases update",
              "ChartOnControlPlaneTest#withoutLeaseUpdateTheOperatorRefusesToStart",
          "strata.dev/statesnapshots get",
              "ChartOnControlPlaneTest#allNamespacesInstallRunsTheCoreFlowsAsItsServiceAccountAndFailsOver"
                  + " (refused there under load before the rule: a conflict on the expired snapshot's"
                  + " finalizer removal)");

  private static Map<String, String> exercisedBy() {
    Map<String, String> m = new LinkedHashMap<>();
    String start = "allNamespaces: operator start (informers list, then watch)";
    m.put(
        "strata.dev/statesnapshots get",
        "only when a finalizer patch conflicts: java-operator-sdk re-reads the StateSnapshot");
    m.put(
        "strata.dev/statesnapshots list",
        start + " (also the restore's, which resolves its source from it)");
    m.put("strata.dev/statesnapshots watch", start);
    m.put(
        "strata.dev/statesnapshots create",
        "allNamespaces: the schedule's due runs; the store's catalog imports a snapshot kept in the bucket");
    m.put(
        "strata.dev/statesnapshots delete",
        "allNamespaces: the retention policy expires the older scheduled snapshot; a snapshot's ttl passes");
    m.put(
        "strata.dev/statesnapshots patch",
        "allNamespaces: first snapshot (finalizer added, phase labels mirrored by server-side apply), its deletion (finalizer removed)");
    m.put(
        "strata.dev/statesnapshots/status patch",
        "allNamespaces: first snapshot (Pending, Running, Succeeded)");
    m.put(
        "strata.dev/statesnapshots/finalizers update",
        "allNamespaces: first snapshot (admission of its backup Job; no request of its own)");
    m.put("strata.dev/snapshotstores list", start);
    m.put("strata.dev/snapshotstores watch", start);
    m.put("strata.dev/snapshotstores/status patch", "allNamespaces: store becomes Ready");
    m.put("strata.dev/snapshotschedules list", start);
    m.put("strata.dev/snapshotschedules watch", start);
    m.put(
        "strata.dev/snapshotschedules/status patch",
        "allNamespaces: the schedule's runs (last and next schedule time)");
    m.put("strata.dev/retentionpolicies list", start);
    m.put("strata.dev/retentionpolicies watch", start);
    m.put(
        "strata.dev/retentionpolicies/status patch",
        "allNamespaces: the retention policy applied (kept, expired)");
    m.put("strata.dev/restorepolicies list", start);
    m.put("strata.dev/restorepolicies watch", start);
    m.put(
        "strata.dev/restorepolicies/status patch",
        "allNamespaces: a RestorePolicy reports WebhookDisabled; webhook: it reports Serving, then the restore");
    m.put("strata.dev/staterestores list", start);
    m.put("strata.dev/staterestores watch", start);
    m.put(
        "strata.dev/staterestores/status patch",
        "allNamespaces: the restore (pinned snapshot, Succeeded)");
    m.put(
        "strata.dev/staterestores/finalizers update",
        "allNamespaces: the restore (admission of its restore Job; no request of its own)");
    m.put(
        "batch/jobs create",
        "allNamespaces: first snapshot (backup Job); the restore; the collection after expiry; the store's verification");
    m.put(
        "batch/jobs delete",
        "allNamespaces: deleting a snapshot whose runner cannot start (cleanup stops the runner)");
    m.put(
        "batch/jobs patch",
        "allNamespaces: first snapshot (its Job let go of its result once Succeeded is recorded)");
    m.put("batch/jobs list", start);
    m.put("batch/jobs watch", start);
    m.put(
        "core/pods list",
        start
            + " (pods indexed by claim and Job: the node of a PVC user, a runner's termination message)");
    m.put("core/pods watch", start);
    m.put(
        "core/pods patch",
        "allNamespaces: first snapshot (its runner pod let go of its result once Succeeded is recorded)");
    m.put(
        "core/pods get",
        "allNamespaces: deleting a snapshot whose runner cannot start (the user of its PVC read for its uid and fsGroup)");
    m.put(
        "core/persistentvolumeclaims get",
        "allNamespaces: first snapshot; missing PVC (PVCNotFound); the restore's target");
    m.put(
        "core/persistentvolumeclaims create",
        "allNamespaces: the restore creates its target from spec.target.claimTemplate");
    m.put(
        "core/persistentvolumeclaims list",
        "allNamespaces: the StatefulSet schedule reads the namespace's claims");
    m.put("apps/statefulsets get", "allNamespaces: the StatefulSet schedule reads its StatefulSet");
    m.put(
        "strata.dev/staterestores create",
        "allNamespaces: the group restore creates one StateRestore per member");
    m.put(
        "core/secrets get",
        "allNamespaces: store becomes Ready (credentials); webhook: every check reads its TLS Secret");
    m.put("core/secrets create", "webhook: the first start creates the TLS Secret");
    m.put(
        "core/secrets update",
        "webhook: the test corrupts the TLS Secret; the next check rotates the certificate");
    m.put(
        "core/secrets delete",
        "webhook uninstall: giving a Secret of an earlier release its owner (OwnerReferencesPermissionEnforcement; no request of its own)");
    m.put(
        "coordination.k8s.io/leases delete",
        "webhook uninstall: making the Deployment the Lease's owner (OwnerReferencesPermissionEnforcement; no request of its own)");
    m.put(
        "core/services get",
        "webhook: every check reads the webhook Service, the TLS Secret's owner");
    m.put(
        "apps/deployments get",
        "allNamespaces: LeaseOwnership reads the operator's Deployment, the Lease's owner");
    m.put(
        "admissionregistration.k8s.io/mutatingwebhookconfigurations get",
        "webhook: every check reads the configuration");
    m.put(
        "admissionregistration.k8s.io/mutatingwebhookconfigurations update",
        "webhook: the first start fills in the chart's configuration; the rotated CA bundle; the test's edit of failurePolicy is repaired");
    m.put("core/secrets list", start);
    m.put("core/secrets watch", start);
    m.put("core/configmaps get", "allNamespaces: store with a CA bundle in a ConfigMap");
    m.put("core/configmaps list", start);
    m.put("core/configmaps watch", start);
    m.put(
        "storage.k8s.io/storageclasses list",
        start
            + " (all namespaces only: the StorageClasses' binding modes, for restores into claims that bind on first consumer)");
    m.put("storage.k8s.io/storageclasses watch", start);
    m.put(
        "core/namespaces get",
        "allNamespaces: operator start reads kube-system's UID (no clusterId set)");
    m.put(
        "core/serviceaccounts get",
        "allNamespaces: a web identity store whose runner ServiceAccount is missing (ServiceAccountNotFound)");
    m.put(
        "events.k8s.io/events create",
        "allNamespaces: first snapshot (Started, Succeeded Events); schedule, retention and restore Events; webhook: FreshStart on the pod and the policy");
    m.put(
        "coordination.k8s.io/leases create", "allNamespaces: the first operator creates the Lease");
    m.put("coordination.k8s.io/leases get", "allNamespaces: both operators read the Lease");
    m.put(
        "coordination.k8s.io/leases patch",
        "allNamespaces: the leader renews, the standby takes over after kill -9");
    m.put(
        "coordination.k8s.io/leases update",
        "allNamespaces: operator start (java-operator-sdk's access check; no request of its own)");
    return m;
  }

  static PolicyRule rule(String group, String resource, String... verbs) {
    return new PolicyRuleBuilder()
        .withApiGroups(group)
        .withResources(resource)
        .withVerbs(verbs)
        .build();
  }

  /** "group/resource verb" for every verb of every rule ("core" for the core group). */
  static Set<String> permissions(List<PolicyRule> rules) {
    Set<String> out = new TreeSet<>();
    for (PolicyRule r : rules) {
      for (String group : r.getApiGroups()) {
        for (String resource : r.getResources()) {
          for (String verb : r.getVerbs()) {
            out.add(permission(group, resource, verb));
          }
        }
      }
    }
    return out;
  }

  static String permission(String group, String resource, String verb) {
    return (group == null || group.isEmpty() ? "core" : group) + "/" + resource + " " + verb;
  }
}
