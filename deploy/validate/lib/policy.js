'use strict';
// The project's deployment policy, checked on a rendered overlay. Each rule
// reports "Kind/name: field.path: what is wrong (the rule)".
//
// Rules:
//   labels       every object carries app.kubernetes.io/{name,instance,
//                part-of,managed-by}; pod templates also /component.
//   security     every pod runs as non-root with the RuntimeDefault seccomp
//                profile; every container has a securityContext with
//                allowPrivilegeEscalation false, readOnlyRootFilesystem true,
//                capabilities.drop [ALL] and nothing added, not privileged;
//                no host namespaces; /tmp is an emptyDir (the root is
//                read-only); no service account token is mounted.
//   resources    every container requests cpu and memory and limits memory;
//                the image has an explicit tag other than "latest".
//   secrets      no Secret object is rendered (Secrets are created outside
//                the tree and only referenced); no env value or ConfigMap
//                holds key material; the files of --tls_cert, --tls_key,
//                --client_ca and --token_file lie in read-only Secret volumes.
//   server       one partnergraphd StatefulSet, replicas 1 unless --store=etcd
//                (with the embedded store each replica is an independent
//                store; on etcd each is a copy of etcd's graph), its data_dir
//                on a volumeClaimTemplate, governed by a headless Service;
//                gRPC startup, readiness and liveness probes on the health port (--health_listen, which
//                TLS requires, else --listen); container ports match --listen,
//                --health_listen and --metrics_listen; Prometheus scrape
//                annotations name the metrics port; terminationGracePeriod-
//                Seconds >= --grace_seconds + 5; --cache_mb at most half the
//                memory limit.
//   pdb          a policy/v1 PodDisruptionBudget selects the server pods and
//                allows one eviction (maxUnavailable >= 1), so drains proceed.
//   network      a NetworkPolicy selects the server pods, restricts Ingress,
//                and admits exactly the gRPC and metrics ports.
//   services     every Service selects the server pods or the etcd pods (one
//                of the two) and no other pod template; its target port is a
//                container port of the pods it selects.
//   etcd         with --store=etcd: --etcd_endpoints names every member of the
//                etcd StatefulSet of the manifest once
//                (MEMBER.GOVERNING-SERVICE[.NAMESPACE.svc]:CLIENT-PORT), and
//                --restore_from is unset (partnergraphd refuses it). Every
//                etcd StatefulSet: an odd number of members, at least 3;
//                podManagementPolicy Parallel; a headless governing Service
//                publishing not-ready members; --name from the pod's name and
//                --initial-cluster naming each member under that Service on
//                the peer port; --data-dir on a volumeClaimTemplate;
//                --max-txn-ops >= 10000 and --max-request-bytes >= 10 MiB (a
//                partnergraph write is one Txn); readiness and liveness
//                probes; required pod anti-affinity on kubernetes.io/hostname;
//                a policy/v1 PodDisruptionBudget keeping a quorum
//                (minAvailable n/2+1); a NetworkPolicy restricting Ingress,
//                every rule naming ports, the client port admitted from the
//                partnergraphd pods and the peer port from the members, and
//                neither from everywhere.
//   client       a partnerctl Job dials a Service of the rendering by name,
//                on a port that Service exposes.

const {ref, ofKind, get, podTemplates, selects, volumeHolding} = require('./manifest');
const {serverContainers, clientContainers, etcdContainers, collectServerFlags} = require('./flags');

const REQUIRED_LABELS = [
  'app.kubernetes.io/name',
  'app.kubernetes.io/instance',
  'app.kubernetes.io/part-of',
  'app.kubernetes.io/managed-by',
];
const SECRET_FLAGS = ['tls_cert', 'tls_key', 'client_ca', 'token_file'];
const SHUTDOWN_MARGIN_SECONDS = 5;
const DEFAULT_GRACE_SECONDS = 10;  // partnergraphd's default
const MIB = 1024 * 1024;
// What partnergraph writes need of etcd: a forced delete of a hub company is
// one Txn, and so is an import batch that fits (tests/etcd/etcd_cluster.sh
// runs etcd with these limits; README.md, "Running on etcd").
const ETCD_MIN_TXN_OPS = 10000;
const ETCD_MIN_REQUEST_BYTES = 10 * MIB;
const HOSTNAME_TOPOLOGY = 'kubernetes.io/hostname';

// "512Mi", "1G", "1500000" -> bytes; NaN when not a quantity.
function memoryBytes(q) {
  const m = /^([0-9.]+)(Ki|Mi|Gi|Ti|k|M|G|T)?$/.exec(String(q));
  if (!m) return NaN;
  const units = {Ki: 1024, Mi: MIB, Gi: 1024 * MIB, Ti: 1024 * 1024 * MIB, k: 1e3, M: 1e6, G: 1e9, T: 1e12};
  return Number(m[1]) * (m[2] ? units[m[2]] : 1);
}

function portOf(address) {
  const m = /:([0-9]+)$/.exec(address || '');
  return m ? Number(m[1]) : undefined;
}

// The ports of a comma-separated URL list ("http://0.0.0.0:2379,...").
function urlPorts(urls) {
  return String(urls || '').split(',').map((u) => portOf(u.trim())).filter((p) => p !== undefined);
}

function checkLabels(objects, problems) {
  for (const obj of objects) {
    const labels = get(obj, ['metadata', 'labels']) || {};
    for (const l of REQUIRED_LABELS) {
      if (!labels[l]) problems.push(`${ref(obj)}: metadata.labels: ${l} missing (labels)`);
    }
  }
  for (const {obj, template, path} of podTemplates(objects)) {
    const labels = get(template, ['metadata', 'labels']) || {};
    for (const l of REQUIRED_LABELS.concat(['app.kubernetes.io/component'])) {
      if (!labels[l]) problems.push(`${ref(obj)}: ${path}.metadata.labels: ${l} missing (labels)`);
    }
  }
}

function checkPods(objects, problems) {
  for (const {obj, template, path} of podTemplates(objects)) {
    const spec = template.spec || {};
    const at = `${ref(obj)}: ${path}.spec`;
    const pod = spec.securityContext || {};
    for (const host of ['hostNetwork', 'hostPID', 'hostIPC']) {
      if (spec[host] === true) problems.push(`${at}.${host}: want false (security)`);
    }
    if (spec.automountServiceAccountToken !== false) {
      problems.push(`${at}.automountServiceAccountToken: want false (security: no API access needed)`);
    }
    const containers = (spec.initContainers || []).map((c, i) => [c, `initContainers[${i}]`])
        .concat((spec.containers || []).map((c, i) => [c, `containers[${i}]`]));
    for (const [c, name] of containers) {
      const where = `${at}.${name}`;
      const sc = c.securityContext;
      if (!sc || typeof sc !== 'object') {
        problems.push(`${where}.securityContext: missing (security: want a restricted securityContext)`);
      }
      const s = sc || {};
      if (s.allowPrivilegeEscalation !== false) {
        problems.push(`${where}.securityContext.allowPrivilegeEscalation: want false (security)`);
      }
      if (s.readOnlyRootFilesystem !== true) {
        problems.push(`${where}.securityContext.readOnlyRootFilesystem: want true (security)`);
      }
      if (s.privileged === true) problems.push(`${where}.securityContext.privileged: want false (security)`);
      const drop = get(s, ['capabilities', 'drop']) || [];
      if (!drop.includes('ALL')) {
        problems.push(`${where}.securityContext.capabilities.drop: want [ALL] (security)`);
      }
      const added = get(s, ['capabilities', 'add']) || [];
      if (added.length > 0) {
        problems.push(`${where}.securityContext.capabilities.add: want none, got ${JSON.stringify(added)} (security)`);
      }
      const nonRoot = s.runAsNonRoot !== undefined ? s.runAsNonRoot : pod.runAsNonRoot;
      if (nonRoot !== true) problems.push(`${where}.securityContext.runAsNonRoot: want true (security)`);
      const uid = s.runAsUser !== undefined ? s.runAsUser : pod.runAsUser;
      if (uid === 0) problems.push(`${where}.securityContext.runAsUser: want a non-zero uid (security)`);
      const seccomp = get(s, ['seccompProfile', 'type']) || get(pod, ['seccompProfile', 'type']);
      if (seccomp !== 'RuntimeDefault') {
        problems.push(`${where}.securityContext.seccompProfile.type: want RuntimeDefault, got ${JSON.stringify(seccomp)} (security)`);
      }
      const tmp = volumeHolding(spec, c, '/tmp');
      if (!tmp || !tmp.volume || !tmp.volume.emptyDir || tmp.mount.mountPath.replace(/\/+$/, '') !== '/tmp') {
        problems.push(`${where}.volumeMounts: want an emptyDir at /tmp (security: the root filesystem is read-only)`);
      }
      const res = c.resources || {};
      for (const r of ['cpu', 'memory']) {
        if (!get(res, ['requests', r])) problems.push(`${where}.resources.requests.${r}: missing (resources)`);
      }
      if (!get(res, ['limits', 'memory'])) problems.push(`${where}.resources.limits.memory: missing (resources)`);
      const image = String(c.image || '');
      const tagged = /:[^/]+$/.test(image.split('@')[0]) || image.includes('@sha256:');
      if (!tagged || /:latest$/.test(image)) {
        problems.push(`${where}.image: want an explicit tag other than latest, got ${JSON.stringify(image)} (resources)`);
      }
      (c.env || []).forEach((e, i) => {
        if (e.value !== undefined && /token|password|secret|private|key|cert/i.test(e.name)) {
          problems.push(`${where}.env[${i}].value: ${e.name} inlined; want valueFrom.secretKeyRef (secrets)`);
        }
      });
    }
  }
}

function checkSecrets(objects, problems) {
  for (const s of ofKind(objects, 'Secret')) {
    problems.push(`${ref(s)}: Secret rendered into the manifest; create it outside the tree and reference it (secrets)`);
  }
  for (const cm of ofKind(objects, 'ConfigMap')) {
    for (const [k, v] of Object.entries(cm.data || {})) {
      if (/-----BEGIN [A-Z ]*(PRIVATE KEY|CERTIFICATE)-----/.test(String(v))) {
        problems.push(`${ref(cm)}: data.${k}: holds key material; want a Secret reference (secrets)`);
      }
    }
  }
}

function checkServer(objects, problems) {
  const servers = serverContainers(objects);
  const sets = servers.filter((s) => s.obj.kind === 'StatefulSet');
  if (sets.length !== 1 || servers.length !== 1) {
    problems.push(`(manifest): want exactly one partnergraphd container, in a StatefulSet; got ${servers.length} in ${servers.map((s) => ref(s.obj)).join(', ') || 'none'} (server)`);
  }
  for (const {obj, podSpec, container, where} of servers) {
    const {values, problems: flagProblems} = collectServerFlags(objects, podSpec, container, where);
    problems.push(...flagProblems);
    const at = ref(obj);
    if (obj.kind === 'StatefulSet') {
      const replicas = get(obj, ['spec', 'replicas']);
      if (values.get('store') === 'etcd') {
        if (replicas !== undefined && !(Number.isInteger(replicas) && replicas >= 1)) {
          problems.push(`${at}: spec.replicas: want at least 1, got ${JSON.stringify(replicas)} (server)`);
        }
      } else if (replicas !== 1) {
        problems.push(`${at}: spec.replicas: want 1, got ${JSON.stringify(replicas)} (server: without --store=etcd each replica is an independent store)`);
      }
      const serviceName = get(obj, ['spec', 'serviceName']);
      const governing = ofKind(objects, 'Service').find((s) => s.metadata.name === serviceName);
      if (!governing || get(governing, ['spec', 'clusterIP']) !== 'None') {
        problems.push(`${at}: spec.serviceName: ${JSON.stringify(serviceName)} is not a headless Service of the manifest (server)`);
      }
      const dataDir = values.get('data_dir');
      const claims = (get(obj, ['spec', 'volumeClaimTemplates']) || []).map((t) => get(t, ['metadata', 'name']));
      const holder = dataDir ? volumeHolding(podSpec, container, dataDir) : undefined;
      if (!dataDir) {
        problems.push(`${where}: --data_dir: not set (server: the store must live on the claimed volume)`);
      } else if (!holder || !claims.includes(holder.mount.name)) {
        problems.push(`${where}: --data_dir=${dataDir}: not on a volumeClaimTemplate volume (server)`);
      }
    }

    const portsByName = new Map((container.ports || []).map((p) => [p.name, p.containerPort]));
    const listen = portOf(values.get('listen'));
    const health = portOf(values.get('health_listen'));
    const metrics = portOf(values.get('metrics_listen'));
    const tls = values.has('tls_cert') || values.has('client_ca');
    if (listen === undefined) problems.push(`${where}: --listen: want HOST:PORT (server)`);
    if (portsByName.get('grpc') !== listen) {
      problems.push(`${where}.ports: grpc: want containerPort ${listen} (--listen), got ${portsByName.get('grpc')} (server)`);
    }
    if (health !== undefined && portsByName.get('health') !== health) {
      problems.push(`${where}.ports: health: want containerPort ${health} (--health_listen), got ${portsByName.get('health')} (server)`);
    }
    if (tls && health === undefined) {
      problems.push(`${where}: --health_listen: required with TLS, so the kubelet's plaintext gRPC probes reach the health service (server)`);
    }
    if (!tls && !values.has('plaintext')) {
      problems.push(`${where}: no transport: want --plaintext or --tls_cert/--tls_key (server)`);
    }
    if (metrics === undefined) {
      problems.push(`${where}: --metrics_listen: not set (server: Prometheus scrapes it)`);
    } else if (portsByName.get('metrics') !== metrics) {
      problems.push(`${where}.ports: metrics: want containerPort ${metrics} (--metrics_listen), got ${portsByName.get('metrics')} (server)`);
    }
    const probePort = health !== undefined ? health : listen;
    for (const probe of ['startupProbe', 'readinessProbe', 'livenessProbe']) {
      const p = container[probe];
      if (!p || !p.grpc) {
        problems.push(`${where}.${probe}: want a native gRPC probe (server)`);
      } else if (p.grpc.port !== probePort) {
        problems.push(`${where}.${probe}.grpc.port: want ${probePort} (${health !== undefined ? '--health_listen' : '--listen'}), got ${p.grpc.port} (server)`);
      }
    }

    const template = get(obj, ['spec', 'template']) || {};
    const annotations = get(template, ['metadata', 'annotations']) || {};
    if (annotations['prometheus.io/scrape'] !== 'true') {
      problems.push(`${at}: spec.template.metadata.annotations: prometheus.io/scrape: want "true" (server)`);
    }
    if (metrics !== undefined && annotations['prometheus.io/port'] !== String(metrics)) {
      problems.push(`${at}: spec.template.metadata.annotations: prometheus.io/port: want "${metrics}" (--metrics_listen), got ${JSON.stringify(annotations['prometheus.io/port'])} (server)`);
    }
    if (!annotations['prometheus.io/path']) {
      problems.push(`${at}: spec.template.metadata.annotations: prometheus.io/path: missing (server)`);
    }

    const grace = values.has('grace_seconds') ? Number(values.get('grace_seconds')) : DEFAULT_GRACE_SECONDS;
    const period = podSpec.terminationGracePeriodSeconds;
    if (typeof period !== 'number' || !(period >= grace + SHUTDOWN_MARGIN_SECONDS)) {
      problems.push(`${at}: spec.template.spec.terminationGracePeriodSeconds: want >= ${grace + SHUTDOWN_MARGIN_SECONDS} (--grace_seconds=${grace} plus ${SHUTDOWN_MARGIN_SECONDS}s to close the store), got ${JSON.stringify(period)} (server)`);
    }
    const limit = memoryBytes(get(container, ['resources', 'limits', 'memory']));
    if (values.has('cache_mb') && !(Number(values.get('cache_mb')) * MIB <= limit / 2)) {
      problems.push(`${where}: --cache_mb=${values.get('cache_mb')}: want at most half of resources.limits.memory (${get(container, ['resources', 'limits', 'memory'])}) (server)`);
    }

    for (const flag of SECRET_FLAGS) {
      if (!values.has(flag)) continue;
      const file = values.get(flag);
      const holder = volumeHolding(podSpec, container, file);
      if (!holder || !holder.volume || !holder.volume.secret) {
        problems.push(`${where}: --${flag}=${file}: not in a Secret volume (secrets: reference Secrets, never inline them)`);
      } else if (holder.mount.readOnly !== true) {
        problems.push(`${where}: --${flag}=${file}: the Secret volume ${holder.mount.name} is not mounted readOnly (secrets)`);
      }
    }
  }
}

function serverPodLabels(objects) {
  return serverContainers(objects).map((s) => get(s.obj, ['spec', 'template', 'metadata', 'labels']) || {});
}

function checkDisruptionAndNetwork(objects, problems) {
  const serverLabels = serverPodLabels(objects);
  const members = etcdContainers(objects);
  const otherLabels = podTemplates(objects)
      .filter(({obj}) => serverContainers([obj]).length === 0 && etcdContainers([obj]).length === 0)
      .map(({obj, template}) => ({obj, labels: get(template, ['metadata', 'labels']) || {}}));

  const pdbs = ofKind(objects, 'PodDisruptionBudget').filter(
      (p) => serverLabels.some((l) => selects(get(p, ['spec', 'selector', 'matchLabels']), l)));
  if (pdbs.length === 0) problems.push('(manifest): no PodDisruptionBudget selects the partnergraphd pods (pdb)');
  for (const p of pdbs) {
    if (p.apiVersion !== 'policy/v1') problems.push(`${ref(p)}: apiVersion: want policy/v1 (pdb)`);
    const maxUnavailable = get(p, ['spec', 'maxUnavailable']);
    if (!(typeof maxUnavailable === 'number' && maxUnavailable >= 1) &&
        !(typeof maxUnavailable === 'string' && /^[1-9][0-9]*%$/.test(maxUnavailable))) {
      problems.push(`${ref(p)}: spec.maxUnavailable: want >= 1 so node drains can evict the single replica, got ${JSON.stringify(maxUnavailable)} (pdb)`);
    }
  }

  const grpcPorts = new Set();
  const metricsPorts = new Set();
  for (const {container} of serverContainers(objects)) {
    for (const p of container.ports || []) {
      if (p.name === 'grpc') grpcPorts.add(p.containerPort);
      if (p.name === 'metrics') metricsPorts.add(p.containerPort);
    }
  }
  const policies = ofKind(objects, 'NetworkPolicy').filter(
      (n) => serverLabels.some((l) => selects(get(n, ['spec', 'podSelector', 'matchLabels']), l)));
  if (policies.length === 0) problems.push('(manifest): no NetworkPolicy selects the partnergraphd pods (network)');
  for (const n of policies) {
    if (!(get(n, ['spec', 'policyTypes']) || []).includes('Ingress')) {
      problems.push(`${ref(n)}: spec.policyTypes: want Ingress (network)`);
    }
    const admitted = new Set();
    (get(n, ['spec', 'ingress']) || []).forEach((rule, i) => {
      if (!rule.ports || rule.ports.length === 0) {
        problems.push(`${ref(n)}: spec.ingress[${i}].ports: missing, which admits every port (network)`);
        return;
      }
      for (const p of rule.ports) admitted.add(p.port);
    });
    const want = new Set([...grpcPorts, ...metricsPorts]);
    const same = admitted.size === want.size && [...want].every((p) => admitted.has(p));
    if (!same) {
      problems.push(`${ref(n)}: spec.ingress: want exactly the gRPC and metrics ports ${JSON.stringify([...want])}, got ${JSON.stringify([...admitted])} (network)`);
    }
  }

  // The pods a Service may select: partnergraphd's, or etcd's.
  const workloads = [
    {what: 'a partnergraphd', labels: serverLabels, containers: serverContainers(objects)},
    {what: 'an etcd', containers: members,
      labels: members.map((m) => get(m.obj, ['spec', 'template', 'metadata', 'labels']) || {})},
  ];
  for (const svc of ofKind(objects, 'Service')) {
    const selector = get(svc, ['spec', 'selector']);
    const selected = workloads.filter((w) => w.labels.some((l) => selects(selector, l)));
    if (selected.length === 0) {
      problems.push(`${ref(svc)}: spec.selector: selects no partnergraphd pod${members.length > 0 ? ' and no etcd pod' : ''} (services)`);
    } else if (selected.length > 1) {
      problems.push(`${ref(svc)}: spec.selector: selects both the partnergraphd and the etcd pods (services)`);
    }
    for (const other of otherLabels) {
      if (selects(selector, other.labels)) {
        problems.push(`${ref(svc)}: spec.selector: also selects the pods of ${ref(other.obj)} (services)`);
      }
    }
    const target = selected.length === 1 ? selected[0] : workloads[0];
    const names = new Set();
    const numbers = new Set();
    for (const {container} of target.containers) {
      for (const p of container.ports || []) {
        names.add(p.name);
        numbers.add(p.containerPort);
      }
    }
    (get(svc, ['spec', 'ports']) || []).forEach((p, i) => {
      const port = p.targetPort === undefined ? p.port : p.targetPort;
      if (!(typeof port === 'string' ? names.has(port) : numbers.has(port))) {
        problems.push(`${ref(svc)}: spec.ports[${i}].targetPort: ${JSON.stringify(port)} is not ${target.what} container port (services)`);
      }
    });
  }
}

// Whether `port` (a number or a port name) of a NetworkPolicy rule is the
// container port `number` (named `name`).
function samePort(port, number, name) {
  return port === number || (name !== undefined && port === name);
}

function checkEtcdMember(objects, member, serverLabels, problems) {
  const {obj, podSpec, container, where, flags} = member;
  const at = ref(obj);
  if (obj.kind !== 'StatefulSet') {
    problems.push(`${at}: etcd runs in a ${obj.kind}; want a StatefulSet (etcd: members need stable names and their own volumes)`);
    return;
  }
  const name = obj.metadata.name;
  const n = get(obj, ['spec', 'replicas']);
  if (!(Number.isInteger(n) && n >= 3 && n % 2 === 1)) {
    problems.push(`${at}: spec.replicas: want an odd number of members, at least 3, got ${JSON.stringify(n)} (etcd: a quorum survives the loss of one)`);
  }
  const members = Number.isInteger(n) && n > 0 ? n : 0;
  const quorum = Math.floor(members / 2) + 1;
  if (get(obj, ['spec', 'podManagementPolicy']) !== 'Parallel') {
    problems.push(`${at}: spec.podManagementPolicy: want Parallel, got ${JSON.stringify(get(obj, ['spec', 'podManagementPolicy']))} (etcd: a new cluster is ready only once a quorum runs, so OrderedReady waits forever for member 0)`);
  }
  const serviceName = get(obj, ['spec', 'serviceName']);
  const governing = ofKind(objects, 'Service').find((s) => s.metadata.name === serviceName);
  if (!governing || get(governing, ['spec', 'clusterIP']) !== 'None') {
    problems.push(`${at}: spec.serviceName: ${JSON.stringify(serviceName)} is not a headless Service of the manifest (etcd)`);
  } else if (get(governing, ['spec', 'publishNotReadyAddresses']) !== true) {
    problems.push(`${ref(governing)}: spec.publishNotReadyAddresses: want true (etcd: members find each other by these names before any is ready)`);
  }

  // --name is the pod's name, and --initial-cluster names every member.
  const nameFlag = /^\$\(([A-Za-z_][A-Za-z0-9_]*)\)$/.exec(flags.get('name') || '');
  const nameEnv = nameFlag && (container.env || []).find((e) => e.name === nameFlag[1]);
  if (!nameEnv || get(nameEnv, ['valueFrom', 'fieldRef', 'fieldPath']) !== 'metadata.name') {
    problems.push(`${where}: --name: want $(VAR) with VAR from fieldRef metadata.name, got ${JSON.stringify(flags.get('name'))} (etcd: each member is named as its pod)`);
  }
  const peerPorts = urlPorts(flags.get('listen-peer-urls'));
  const clientPorts = urlPorts(flags.get('listen-client-urls'));
  if (clientPorts.length === 0) problems.push(`${where}: --listen-client-urls: want URLs with a port (etcd)`);
  if (peerPorts.length === 0) problems.push(`${where}: --listen-peer-urls: want URLs with a port (etcd)`);
  const initial = new Map();
  for (const entry of String(flags.get('initial-cluster') || '').split(',').filter(Boolean)) {
    const eq = entry.indexOf('=');
    initial.set(entry.slice(0, eq), entry.slice(eq + 1));
  }
  for (let i = 0; i < members; i++) {
    const pod = `${name}-${i}`;
    const url = initial.get(pod);
    const m = url && /^https?:\/\/([^:/]+):([0-9]+)\/?$/.exec(url);
    if (!m) {
      problems.push(`${where}: --initial-cluster: names no member ${pod} (etcd: want ${pod}=http://${pod}.${serviceName}...:PEER-PORT)`);
    } else if (!m[1].startsWith(`${pod}.${serviceName}.`) && m[1] !== `${pod}.${serviceName}`) {
      problems.push(`${where}: --initial-cluster: ${pod}=${url}: want the host ${pod}.${serviceName}[...] (etcd: the pod's name under the governing Service)`);
    } else if (!peerPorts.includes(Number(m[2]))) {
      problems.push(`${where}: --initial-cluster: ${pod}=${url}: port ${m[2]} is not the peer port ${JSON.stringify(peerPorts)} (etcd)`);
    }
  }
  for (const pod of initial.keys()) {
    const ordinal = pod.startsWith(`${name}-`) ? pod.slice(name.length + 1) : '';
    if (!/^[0-9]+$/.test(ordinal) || Number(ordinal) >= members) {
      problems.push(`${where}: --initial-cluster: ${pod}: not a pod of ${at} (etcd: spec.replicas is ${JSON.stringify(n)})`);
    }
  }

  const dataDir = flags.get('data-dir');
  const claims = (get(obj, ['spec', 'volumeClaimTemplates']) || []).map((t) => get(t, ['metadata', 'name']));
  const holder = dataDir ? volumeHolding(podSpec, container, dataDir) : undefined;
  if (!dataDir || !holder || !claims.includes(holder.mount.name)) {
    problems.push(`${where}: --data-dir=${dataDir}: not on a volumeClaimTemplate volume (etcd)`);
  }
  const txnOps = Number(flags.get('max-txn-ops'));
  if (!(txnOps >= ETCD_MIN_TXN_OPS)) {
    problems.push(`${where}: --max-txn-ops: want at least ${ETCD_MIN_TXN_OPS}, got ${JSON.stringify(flags.get('max-txn-ops'))} (etcd: a partnergraph write is one Txn)`);
  }
  const requestBytes = Number(flags.get('max-request-bytes'));
  if (!(requestBytes >= ETCD_MIN_REQUEST_BYTES)) {
    problems.push(`${where}: --max-request-bytes: want at least ${ETCD_MIN_REQUEST_BYTES}, got ${JSON.stringify(flags.get('max-request-bytes'))} (etcd: a partnergraph write is one Txn)`);
  }
  for (const probe of ['readinessProbe', 'livenessProbe']) {
    if (!container[probe]) problems.push(`${where}.${probe}: missing (etcd)`);
  }

  const labels = get(obj, ['spec', 'template', 'metadata', 'labels']) || {};
  const terms = get(podSpec, ['affinity', 'podAntiAffinity', 'requiredDuringSchedulingIgnoredDuringExecution']) || [];
  if (!terms.some((t) => t.topologyKey === HOSTNAME_TOPOLOGY && selects(get(t, ['labelSelector', 'matchLabels']), labels))) {
    problems.push(`${at}: spec.template.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution: want a term on ${HOSTNAME_TOPOLOGY} selecting the members (etcd: one node lost takes one member at most)`);
  }

  const pdbs = ofKind(objects, 'PodDisruptionBudget').filter(
      (p) => selects(get(p, ['spec', 'selector', 'matchLabels']), labels));
  if (pdbs.length === 0) problems.push(`(manifest): no PodDisruptionBudget selects the pods of ${at} (etcd)`);
  for (const p of pdbs) {
    if (p.apiVersion !== 'policy/v1') problems.push(`${ref(p)}: apiVersion: want policy/v1 (etcd)`);
    const minAvailable = get(p, ['spec', 'minAvailable']);
    const maxUnavailable = get(p, ['spec', 'maxUnavailable']);
    if (!(minAvailable === quorum || (minAvailable === undefined && maxUnavailable === members - quorum))) {
      problems.push(`${ref(p)}: spec.minAvailable: want ${quorum}, the quorum of ${members} members, got ${JSON.stringify(minAvailable)}${maxUnavailable !== undefined ? ` (maxUnavailable ${JSON.stringify(maxUnavailable)})` : ''} (etcd: evictions must keep a quorum and allow one)`);
    }
  }

  const portNames = new Map((container.ports || []).map((p) => [p.containerPort, p.name]));
  const policies = ofKind(objects, 'NetworkPolicy').filter(
      (np) => selects(get(np, ['spec', 'podSelector', 'matchLabels']), labels));
  if (policies.length === 0) problems.push(`(manifest): no NetworkPolicy selects the pods of ${at} (etcd: etcd serves without authentication)`);
  const admits = (rule, port) => (rule.ports || []).some((p) => samePort(p.port, port, portNames.get(port)));
  const fromPods = (rule, podLabels) => (rule.from || []).some(
      (f) => !f.namespaceSelector && !f.ipBlock && podLabels.some((l) => selects(get(f, ['podSelector', 'matchLabels']), l)));
  for (const np of policies) {
    if (!(get(np, ['spec', 'policyTypes']) || []).includes('Ingress')) {
      problems.push(`${ref(np)}: spec.policyTypes: want Ingress (etcd)`);
    }
    const rules = get(np, ['spec', 'ingress']) || [];
    rules.forEach((rule, i) => {
      if (!rule.ports || rule.ports.length === 0) {
        problems.push(`${ref(np)}: spec.ingress[${i}].ports: missing, which admits every port (etcd)`);
        return;
      }
      for (const [port, what] of [[clientPorts[0], 'client'], [peerPorts[0], 'peer']]) {
        if (port !== undefined && admits(rule, port) && (!rule.from || rule.from.length === 0)) {
          problems.push(`${ref(np)}: spec.ingress[${i}]: admits the ${what} port ${port} from everywhere; want from the pods that need it (etcd)`);
        }
      }
    });
  }
  const allRules = policies.flatMap((np) => get(np, ['spec', 'ingress']) || []);
  if (policies.length > 0 && clientPorts.length > 0 &&
      !allRules.some((r) => admits(r, clientPorts[0]) && fromPods(r, serverLabels))) {
    problems.push(`${ref(policies[0])}: spec.ingress: admits the client port ${clientPorts[0]} to no partnergraphd pod (etcd)`);
  }
  if (policies.length > 0 && peerPorts.length > 0 &&
      !allRules.some((r) => admits(r, peerPorts[0]) && fromPods(r, [labels]))) {
    problems.push(`${ref(policies[0])}: spec.ingress: admits the peer port ${peerPorts[0]} to no other member (etcd)`);
  }
}

function checkEtcd(objects, problems) {
  const members = etcdContainers(objects);
  const serverLabels = serverPodLabels(objects);
  for (const member of members) checkEtcdMember(objects, member, serverLabels, problems);

  for (const {podSpec, container, where} of serverContainers(objects)) {
    const {values} = collectServerFlags(objects, podSpec, container, where);
    if (values.get('store') !== 'etcd') continue;
    if (values.has('restore_from')) {
      problems.push(`${where}: --restore_from: refused by partnergraphd with --store=etcd (etcd: restore etcd's snapshot; replicas rebuild from it)`);
    }
    if (members.length !== 1) {
      problems.push(`${where}: --store=etcd: want one etcd StatefulSet in the manifest, got ${members.length} (etcd)`);
      continue;
    }
    const sts = members[0].obj;
    const name = sts.metadata.name;
    const n = Number.isInteger(get(sts, ['spec', 'replicas'])) ? get(sts, ['spec', 'replicas']) : 0;
    const serviceName = get(sts, ['spec', 'serviceName']);
    const namespace = get(sts, ['metadata', 'namespace']);
    const clientPorts = urlPorts(members[0].flags.get('listen-client-urls'));
    const endpoints = String(values.get('etcd_endpoints') || '').split(',').map((e) => e.trim()).filter(Boolean);
    if (endpoints.length === 0) {
      problems.push(`${where}: --etcd_endpoints: not set (etcd)`);
      continue;
    }
    const want = `${name}-N.${serviceName}${namespace ? `[.${namespace}.svc]` : ''}:${clientPorts[0]}`;
    const listed = new Set();
    for (const e of endpoints) {
      const m = /^([a-z0-9-]+)\.([a-z0-9-]+)(?:\.([a-z0-9-]+)(?:\.svc(?:\.[a-z0-9.-]+)?)?)?:([0-9]+)$/.exec(e);
      const ordinal = m && m[1].startsWith(`${name}-`) ? m[1].slice(name.length + 1) : '';
      if (!m || !/^[0-9]+$/.test(ordinal) || Number(ordinal) >= n || m[2] !== serviceName ||
          (m[3] !== undefined && namespace !== undefined && m[3] !== namespace)) {
        problems.push(`${where}: --etcd_endpoints: ${e}: not a member of ${ref(sts)} (etcd: want ${want}, N < ${n})`);
        continue;
      }
      if (!clientPorts.includes(Number(m[4]))) {
        problems.push(`${where}: --etcd_endpoints: ${e}: port ${m[4]} is not etcd's client port ${JSON.stringify(clientPorts)} (etcd)`);
      }
      if (listed.has(Number(ordinal))) problems.push(`${where}: --etcd_endpoints: ${e}: listed twice (etcd)`);
      listed.add(Number(ordinal));
    }
    const missing = [];
    for (let i = 0; i < n; i++) if (!listed.has(i)) missing.push(`${name}-${i}`);
    if (missing.length > 0) {
      problems.push(`${where}: --etcd_endpoints: lists no ${missing.join(', ')} (etcd: list every member, so a replica moves on when one stops answering)`);
    }
  }
}

function checkClients(objects, problems) {
  for (const {container, where} of clientContainers(objects)) {
    const args = container.args || [];
    let server;
    args.forEach((a, i) => {
      const m = /^(?:--server|-s)=(.*)$/.exec(a);
      if (m) server = m[1];
      if ((a === '--server' || a === '-s') && i + 1 < args.length) server = args[i + 1];
    });
    if (!server) {
      problems.push(`${where}.args: --server: not set (client)`);
      continue;
    }
    const m = /^(?:dns:\/\/\/)?([a-z0-9-]+)(?:\.[a-z0-9.-]+)?:([0-9]+)$/.exec(server);
    const svc = m && ofKind(objects, 'Service').find((s) => s.metadata.name === m[1]);
    if (!svc) {
      problems.push(`${where}.args: --server=${server}: not a Service of the manifest (client)`);
    } else if (!(get(svc, ['spec', 'ports']) || []).some((p) => p.port === Number(m[2]))) {
      problems.push(`${where}.args: --server=${server}: Service ${m[1]} has no port ${m[2]} (client)`);
    }
  }
}

function checkPolicy(objects) {
  const problems = [];
  checkLabels(objects, problems);
  checkPods(objects, problems);
  checkSecrets(objects, problems);
  checkServer(objects, problems);
  checkDisruptionAndNetwork(objects, problems);
  checkEtcd(objects, problems);
  checkClients(objects, problems);
  return problems;
}

module.exports = {checkPolicy, memoryBytes};
