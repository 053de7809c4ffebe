# The scopeguard operator image, built in two stages: Maven builds the shaded jar, a JRE runs it.
#
#   docker build -t <registry>/scopeguard:0.1.0 .
#   helm install scopeguard helm/scopeguard --set image.repository=<registry>/scopeguard --set image.tag=0.1.0
#
# Not built in CI (no container engine runs there); the chart's image.repository and image.tag
# (default: the chart's appVersion) name its result. The image runs as the non-root user 65532,
# writes only to /tmp (the chart mounts an emptyDir there; the root filesystem is read-only).

FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
# poms first: the dependency layer is rebuilt only when they change
COPY pom.xml .
COPY .mvn .mvn
COPY testkit/pom.xml testkit/pom.xml
COPY predictor/pom.xml predictor/pom.xml
COPY operator/pom.xml operator/pom.xml
COPY demo/pom.xml demo/pom.xml
COPY e2e/pom.xml e2e/pom.xml
RUN mvn -B -pl operator -am dependency:go-offline
# testkit holds the embedded API the operator's tests compile against; it is not in the image
COPY testkit testkit
COPY predictor predictor
COPY operator operator
# the build fails when the committed CRD copies differ from the generated one
COPY crds crds
COPY helm/scopeguard/crds helm/scopeguard/crds
RUN mvn -B -pl operator -am -DskipTests package

FROM eclipse-temurin:17-jre
LABEL org.opencontainers.image.title="scopeguard" \
      org.opencontainers.image.description="Keeps GitOps and cluster-onboarding automation inside its declared scope"
COPY --from=build /src/operator/target/scopeguard.jar /opt/scopeguard/scopeguard.jar
USER 65532:65532
EXPOSE 8080 9443
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError", "-jar", "/opt/scopeguard/scopeguard.jar"]
