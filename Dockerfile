# syntax=docker/dockerfile:1
# Multi-stage build: a static beianflow binary on a minimal non-root image.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/beianflow ./cmd/beianflow

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/beianflow /usr/local/bin/beianflow
USER nonroot:nonroot
EXPOSE 8080 8089
ENTRYPOINT ["/usr/local/bin/beianflow"]
CMD ["api"]
