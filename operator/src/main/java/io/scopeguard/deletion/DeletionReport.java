package io.scopeguard.deletion;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * Everything a revision held for {@code MassDeletion} would delete, kept on the held resource
 * itself (annotation {@code scopeguard.io/prediction}) for as long as the hold lasts: whoever may
 * read the held Kustomization may read what it would delete, and the record goes with the hold.
 * {@code kubectl scopeguard explain} reads it; nothing has to be guessed or judged again.
 *
 * <p>Bounded: the annotation is gzip-compressed JSON in base64, at most {@link #MAX_ENCODED_CHARS}
 * characters (the API server allows 256 KiB of annotations in all). When the list does not fit, the
 * first objects in discovery order are kept and {@code omitted} says how many were left out.
 *
 * @param subject the held reconciler, as {@code Kustomization flux-system/flux-system}
 * @param revision the revision judged
 * @param source the source and what changed in it
 * @param deleting how many objects the revision would delete, cascade included
 * @param ownInventory objects in the reconciler's own inventory
 * @param clusterInventory objects in every GitOps inventory of the cluster
 * @param deletions what it would delete, in discovery order (direct deletions first)
 * @param omitted how many deletions did not fit in the bound and are not listed
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DeletionReport(
    String subject,
    String revision,
    SourceChange source,
    int deleting,
    int ownInventory,
    int clusterInventory,
    List<Entry> deletions,
    int omitted) {

  /** The most characters the encoded report takes in its annotation. */
  public static final int MAX_ENCODED_CHARS = 96 * 1024;

  /** The most bytes a report inflates to when read back: a forged annotation cannot exhaust. */
  private static final int MAX_DECODED_BYTES = 8 << 20;

  private static final ObjectMapper JSON =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  /**
   * One object it would delete.
   *
   * @param id its Flux inventory id ({@code <namespace>_<name>_<group>_<kind>})
   * @param via the inventory id of the deleted Kustomization, HelmRelease or Namespace that takes
   *     it with it; null for a direct deletion
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Entry(String id, String via) {}

  /**
   * The source change that led to the revision.
   *
   * @param kind e.g. GitRepository
   * @param namespace its namespace
   * @param name its name
   * @param url where it points now; null when unknown
   * @param previousUrl where it pointed before its last change of URL, when scopeguard saw that
   *     change; else null
   * @param urlChangedAt when scopeguard saw that change (RFC 3339); null with no previous URL
   * @param appliedRevision the revision the reconciler applied last; null before its first apply
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record SourceChange(
      String kind,
      String namespace,
      String name,
      String url,
      String previousUrl,
      String urlChangedAt,
      String appliedRevision) {}

  public DeletionReport {
    deletions = List.copyOf(deletions);
  }

  /** The report of {@code traced}, each object as its inventory id. */
  public static DeletionReport of(
      String subject,
      String revision,
      SourceChange source,
      List<Cascade.Deletion> traced,
      int ownInventory,
      int clusterInventory) {
    List<Entry> entries = new ArrayList<>(traced.size());
    for (Cascade.Deletion deletion : traced) {
      entries.add(
          new Entry(
              deletion.object().inventoryId(),
              deletion.via() == null ? null : deletion.via().inventoryId()));
    }
    return new DeletionReport(
        subject, revision, source, traced.size(), ownInventory, clusterInventory, entries, 0);
  }

  /** The annotation's value: as many deletions as fit in {@link #MAX_ENCODED_CHARS}. */
  public String encode() {
    String whole = encoded(this);
    if (whole.length() <= MAX_ENCODED_CHARS) {
      return whole;
    }
    int kept = (int) ((long) deletions.size() * MAX_ENCODED_CHARS / whole.length());
    String attempt = encoded(truncated(kept));
    while (attempt.length() > MAX_ENCODED_CHARS && kept > 0) {
      kept = kept * 9 / 10;
      attempt = encoded(truncated(kept));
    }
    return attempt;
  }

  /** Reads an annotation written by {@link #encode}; empty when it is missing or unreadable. */
  public static Optional<DeletionReport> decode(String annotation) {
    if (annotation == null || annotation.isBlank()) {
      return Optional.empty();
    }
    try (InputStream in =
        new GZIPInputStream(
            new ByteArrayInputStream(Base64.getDecoder().decode(annotation.strip())))) {
      byte[] json = in.readNBytes(MAX_DECODED_BYTES + 1);
      if (json.length > MAX_DECODED_BYTES) {
        return Optional.empty();
      }
      return Optional.of(JSON.readValue(json, DeletionReport.class));
    } catch (IOException | IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  private DeletionReport truncated(int kept) {
    return new DeletionReport(
        subject,
        revision,
        source,
        deleting,
        ownInventory,
        clusterInventory,
        deletions.subList(0, kept),
        deletions.size() - kept + omitted);
  }

  private static String encoded(DeletionReport report) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (GZIPOutputStream gzip = new GZIPOutputStream(bytes)) {
      gzip.write(JSON.writeValueAsString(report).getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return Base64.getEncoder().encodeToString(bytes.toByteArray());
  }
}
