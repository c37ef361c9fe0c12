package dev.strata.api.v1alpha1;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Puts a generated CRD's printer columns in the order its kind declares its
 * {@code @AdditionalPrinterColumn}s: fabric8's generator sorts them by JSON path (AGE first, REASON
 * before READY), and has no way to order them (fabric8io/kubernetes-client#3974, #7454), while
 * kubectl shows them in the order the CRD lists them. crds/regenerate.sh writes the CRDs through
 * this (CommittedCrdsTest with -Dstrata.writeCrds=true), and CommittedCrdsTest holds the committed
 * YAML to it. It moves whole list items of the generated text and changes nothing else.
 */
final class PrinterColumns {

  private static final Pattern KIND = Pattern.compile("(?m)^    kind: \"(\\w+)\"$");
  private static final String HEADER = "- additionalPrinterColumns:";

  private PrinterColumns() {}

  /** The column names a kind declares, in the order written in its class. */
  static List<String> declared(String kind) {
    try {
      Class<?> type = Class.forName(PrinterColumns.class.getPackageName() + "." + kind);
      return Arrays.stream(type.getAnnotationsByType(AdditionalPrinterColumn.class))
          .map(AdditionalPrinterColumn::name)
          .toList();
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException("no Java type for the CRD kind " + kind, e);
    }
  }

  static String kind(String crdYaml) {
    Matcher m = KIND.matcher(crdYaml);
    if (!m.find()) {
      throw new IllegalStateException("not a CRD: no spec.names.kind");
    }
    return m.group(1);
  }

  /** The CRD text with every version's printer columns in its kind's declared order. */
  static String inDeclaredOrder(String crdYaml) {
    List<String> order = declared(kind(crdYaml));
    List<String> lines = new ArrayList<>(List.of(crdYaml.split("\n", -1)));
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (!line.trim().equals(HEADER)) {
        continue;
      }
      String item = " ".repeat(line.indexOf('-') + 2) + "- ";
      String inside = " ".repeat(item.length());
      List<List<String>> items = new ArrayList<>();
      int end = i + 1;
      while (end < lines.size()
          && (lines.get(end).startsWith(item) || lines.get(end).startsWith(inside))) {
        if (lines.get(end).startsWith(item)) {
          items.add(new ArrayList<>());
        }
        items.get(items.size() - 1).add(lines.get(end));
        end++;
      }
      List<List<String>> sorted = new ArrayList<>(items);
      sorted.sort(Comparator.comparingInt(it -> position(order, name(it, item, inside))));
      List<String> flat = sorted.stream().flatMap(List::stream).toList();
      for (int k = 0; k < flat.size(); k++) {
        lines.set(i + 1 + k, flat.get(k));
      }
      i = end - 1;
    }
    return String.join("\n", lines);
  }

  private static String name(List<String> itemLines, String item, String inside) {
    for (String l : itemLines) {
      String field = l.startsWith(item) ? l.substring(item.length()) : l.substring(inside.length());
      if (field.startsWith("name: ")) {
        return field.substring("name: ".length()).replace("\"", "");
      }
    }
    throw new IllegalStateException("a printer column without a name: " + itemLines);
  }

  private static int position(List<String> order, String name) {
    int at = order.indexOf(name);
    if (at < 0) {
      throw new IllegalStateException(
          "the generated printer column " + name + " is not among the declared ones " + order);
    }
    return at;
  }
}
