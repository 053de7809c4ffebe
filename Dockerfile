# Multi-stage build of the scopeguard operator image.
#   docker build -t ghcr.io/scopeguard/scopeguard:0.1.0 .
# Not built in CI (no container engine there); the chart's image.repository/tag point at its result.
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
COPY .mvn .mvn
COPY operator operator
COPY e2e/pom.xml e2e/pom.xml
COPY crds crds
COPY helm/scopeguard/crds helm/scopeguard/crds
RUN mvn -B -pl operator -am -DskipTests package

FROM eclipse-temurin:17-jre
COPY --from=build /src/operator/target/scopeguard.jar /opt/scopeguard/scopeguard.jar
USER 65532:65532
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-jar", "/opt/scopeguard/scopeguard.jar"]
