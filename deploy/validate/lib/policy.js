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
//   server       one partnergraphd StatefulSet, replicas 1 (each replica is
//                an independent store), its data_dir on a volumeClaimTemplate,
//                governed by a headless Service; gRPC startup, readiness and
//                liveness probes on the health port (--health_listen, which
//                TLS requires, else --listen); container ports match --listen,
//                --health_listen and --metrics_listen; Prometheus scrape
//                annotations name the metrics port; terminationGracePeriod-
//                Seconds >= --grace_seconds + 5; --cache_mb at most half the
//                memory limit.
//   pdb          a policy/v1 PodDisruptionBudget selects the server pods and
//                allows one eviction (maxUnavailable >= 1), so drains proceed.
//   network      a NetworkPolicy selects the server pods, restricts Ingress,
//                and admits exactly the gRPC and metrics ports.
//   services     every Service selects the server pods and no other pod
//                template; its target port is a container port.
//   client       a partnerctl Job dials a Service of the rendering by name,
//                on a port that Service exposes.

const {ref, ofKind, get, podTemplates, selects, volumeHolding} = require('./manifest');
const {serverContainers, clientContainers, collectServerFlags} = require('./flags');

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
      if (get(obj, ['spec', 'replicas']) !== 1) {
        problems.push(`${at}: spec.replicas: want 1, got ${JSON.stringify(get(obj, ['spec', 'replicas']))} (server: each replica is an independent store)`);
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
  const otherLabels = podTemplates(objects)
      .filter(({obj}) => serverContainers([obj]).length === 0)
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

  for (const svc of ofKind(objects, 'Service')) {
    const selector = get(svc, ['spec', 'selector']);
    if (!serverLabels.some((l) => selects(selector, l))) {
      problems.push(`${ref(svc)}: spec.selector: selects no partnergraphd pod (services)`);
    }
    for (const other of otherLabels) {
      if (selects(selector, other.labels)) {
        problems.push(`${ref(svc)}: spec.selector: also selects the pods of ${ref(other.obj)} (services)`);
      }
    }
    const names = new Set();
    const numbers = new Set();
    for (const {container} of serverContainers(objects)) {
      for (const p of container.ports || []) {
        names.add(p.name);
        numbers.add(p.containerPort);
      }
    }
    (get(svc, ['spec', 'ports']) || []).forEach((p, i) => {
      const target = p.targetPort === undefined ? p.port : p.targetPort;
      if (!(typeof target === 'string' ? names.has(target) : numbers.has(target))) {
        problems.push(`${ref(svc)}: spec.ports[${i}].targetPort: ${JSON.stringify(target)} is not a partnergraphd container port (services)`);
      }
    });
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
  checkClients(objects, problems);
  return problems;
}

module.exports = {checkPolicy, memoryBytes};
