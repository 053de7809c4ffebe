package io.scopeguard.guard;

import io.scopeguard.approval.ApproveCommand;
import io.scopeguard.flux.FluxKinds;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Why the revision gate does not let a source publish a revision: the consumers that revision would
 * trip, each with its reason, counts and approve command. The same words go to source-controller
 * (the refusal of its status write), to the source's Warning Event and to the log.
 *
 * @param source the source, as {@code GitRepository flux-system/apps}
 * @param revision the revision refused
 * @param trips the consumers it would trip ({@link Decisions.ConsumerDecided#holdsRevision})
 */
public record PublicationRefusal(
    String source, String revision, List<Decisions.ConsumerDecided> trips) {

  private static final int NAMED = 3;

  public PublicationRefusal {
    trips = List.copyOf(trips);
  }

  /** The consumers of {@code decided} that the revision trips; empty when it may be published. */
  public static PublicationRefusal of(
      String source, String revision, List<Decisions.ConsumerDecided> decided) {
    return new PublicationRefusal(
        source,
        revision,
        decided.stream().filter(Decisions.ConsumerDecided::holdsRevision).toList());
  }

  /** Whether any consumer trips. */
  public boolean refused() {
    return !trips.isEmpty();
  }

  /** What a person reads. */
  public String message() {
    String named =
        trips.stream().limit(NAMED).map(PublicationRefusal::trip).collect(Collectors.joining("; "));
    String more =
        trips.size() > NAMED ? "; and " + (trips.size() - NAMED) + " more consumers held" : "";
    return "scopeguard: revision "
        + revision
        + " of "
        + source
        + " is not published: "
        + named
        + more
        + ". Every consumer of "
        + source
        + " keeps its current revision until then";
  }

  private static String trip(Decisions.ConsumerDecided trip) {
    Judgement judgement = trip.decided().judgement();
    return judgement.verdict().reason()
        + ": "
        + judgement.verdict().message()
        + ". To let it through: "
        + ApproveCommand.of(
            FluxKinds.KUSTOMIZATION.kubectlName(),
            trip.kustomization().getMetadata().getNamespace(),
            trip.kustomization().getMetadata().getName(),
            judgement.revision());
  }
}
