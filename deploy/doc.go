// Package deploy holds beianflow's deployment files: Kubernetes manifests
// (kubernetes/), the Grafana dashboard (grafana/) and the configuration the
// repository's docker-compose.yml mounts (compose/). It has no Go code of its
// own; its tests check those files against the code they deploy.
package deploy
