package io.scopeguard.deletion;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

/** The prediction kept with a hold: read back whole, bounded, and never trusted blindly. */
class DeletionReportTest {

  private static DeletionReport report(int objects) {
    List<Cascade.Deletion> traced = new ArrayList<>();
    ObjectId child = ObjectId.parse("flux-system_apps_kustomize.toolkit.fluxcd.io_Kustomization");
    traced.add(new Cascade.Deletion(child, null));
    for (int i = 1; i < objects; i++) {
      traced.add(
          new Cascade.Deletion(
              ObjectId.parse(
                  "apps-"
                      + (i % 7)
                      + "_web-"
                      + i
                      + "-"
                      + Integer.toHexString(i * 7919)
                      + "_apps_Deployment"),
              child));
    }
    return DeletionReport.of(
        "Kustomization flux-system/flux-system",
        "main@sha1:" + "c".repeat(40),
        new DeletionReport.SourceChange(
            "GitRepository",
            "flux-system",
            "flux-system",
            "ssh://new",
            "ssh://old",
            "2026-12-02T02:59:00Z",
            "main@sha1:a"),
        traced,
        8,
        objects);
  }

  @Test
  void aReportReadsBackAsItWasWritten() {
    DeletionReport written = report(400);

    DeletionReport read = DeletionReport.decode(written.encode()).orElseThrow();

    assertThat(read).isEqualTo(written);
    assertThat(read.deletions().get(1).via())
        .isEqualTo("flux-system_apps_kustomize.toolkit.fluxcd.io_Kustomization");
  }

  @Test
  void aListTooLargeForTheAnnotationKeepsItsFirstObjectsAndSaysHowManyAreLeftOut() {
    DeletionReport huge = report(60_000);

    String encoded = huge.encode();
    DeletionReport read = DeletionReport.decode(encoded).orElseThrow();

    assertThat(encoded.length()).isLessThanOrEqualTo(DeletionReport.MAX_ENCODED_CHARS);
    assertThat(read.deleting()).isEqualTo(60_000);
    assertThat(read.omitted()).isPositive();
    assertThat(read.deletions().size() + read.omitted()).isEqualTo(60_000);
    assertThat(read.deletions()).isEqualTo(huge.deletions().subList(0, read.deletions().size()));
  }

  @Test
  void anUnreadableOrInflatingAnnotationIsNoReport() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (GZIPOutputStream gzip = new GZIPOutputStream(bytes)) {
      byte[] zeros = new byte[1 << 20];
      for (int i = 0; i < 16; i++) {
        gzip.write(zeros);
      }
    }
    String bomb = Base64.getEncoder().encodeToString(bytes.toByteArray());

    assertThat(DeletionReport.decode("not base64 at all!")).isEmpty();
    assertThat(
            DeletionReport.decode(
                Base64.getEncoder().encodeToString("{}".getBytes(StandardCharsets.UTF_8))))
        .isEmpty();
    assertThat(DeletionReport.decode(bomb)).as("16 MiB inflated").isEmpty();
    assertThat(DeletionReport.decode(null)).isEmpty();
  }
}
