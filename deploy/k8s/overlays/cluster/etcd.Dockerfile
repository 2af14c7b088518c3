# The etcd image of the cluster overlay: Debian bookworm's etcd 3.4, built
# the way deploy/Dockerfile builds partnergraph's runtime stage (bookworm-slim
# plus Debian packages, a non-root uid). No build context is needed:
#
#   docker build -t registry.example.com/partnergraph/etcd:3.4.23 - \
#     < deploy/k8s/overlays/cluster/etcd.Dockerfile
#
# The tag names the etcd release; the build fails when Debian's package is
# no longer 3.4.23, so a tag never names another release.
FROM debian:bookworm-slim
# etcd-server is /usr/bin/etcd; etcd-client is etcdctl, for `kubectl exec`
# (endpoint status, member list, alarm list, defrag).
RUN apt-get update \
    && apt-get install -y --no-install-recommends etcd-server etcd-client \
    && rm -rf /var/lib/apt/lists/* \
    && etcd --version | grep -qx 'etcd Version: 3.4.23'
# The uid and gid match runAsUser/runAsGroup in etcd-statefulset.yaml.
USER 10001:10001
WORKDIR /var/lib/etcd
# client, peer, metrics and /health, as etcd-statefulset.yaml configures them.
EXPOSE 2379 2380 2381
ENTRYPOINT ["/usr/bin/etcd"]
