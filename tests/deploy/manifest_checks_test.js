'use strict';
// The validator must catch broken manifests: the fixture overlay
// (fixtures/broken: a wrong field type and a missing securityContext) through
// the command line, and one mutation of the real rendered overlays per
// policy rule through the library. The unmutated overlays (every directory
// of deploy/k8s/overlays) must pass.
//
// Environment: PARTNERGRAPH_SOURCE_DIR (the repository), KUBECTL (optional),
// PARTNERGRAPHD, PARTNERCTL and ETCD (optional: the flag cases need them).

const test = require('node:test');
const assert = require('node:assert');
const fs = require('fs');
const path = require('path');
const {spawnSync} = require('child_process');

const src = process.env.PARTNERGRAPH_SOURCE_DIR || path.resolve(__dirname, '../..');
const kubectl = process.env.KUBECTL || 'kubectl';
const validateDir = path.join(src, 'deploy/validate');
const {parseManifest} = require(path.join(validateDir, 'lib/manifest'));
const {checkSchemas} = require(path.join(validateDir, 'lib/schema'));
const {checkPolicy} = require(path.join(validateDir, 'lib/policy'));
const {checkFlags, parseAbslHelp, parseCli11Help, parseEtcdHelp} = require(path.join(validateDir, 'lib/flags'));

function render(dir) {
  const r = spawnSync(kubectl, ['kustomize', dir], {encoding: 'utf8'});
  assert.strictEqual(r.status, 0, `${kubectl} kustomize ${dir}: ${r.stderr}`);
  return r.stdout;
}

// Every overlay, as CMake globs them for the deploy_k8s_<overlay> tests.
const overlaysDir = path.join(src, 'deploy/k8s/overlays');
const overlays = fs.readdirSync(overlaysDir, {withFileTypes: true})
    .filter((d) => d.isDirectory()).map((d) => d.name).sort();
const rendered = Object.fromEntries(overlays.map((o) => [o, render(path.join(overlaysDir, o))]));

function objects(overlay) {
  return parseManifest(rendered[overlay]);
}
function find(objs, kind, namePrefix = '') {
  const o = objs.find((x) => x.kind === kind && x.metadata.name.startsWith(namePrefix));
  assert.ok(o, `no ${kind} ${namePrefix} in the rendering`);
  return o;
}
function named(objs, kind, name) {
  const o = objs.find((x) => x.kind === kind && x.metadata.name === name);
  assert.ok(o, `no ${kind}/${name} in the rendering`);
  return o;
}
function server(objs) {
  return named(objs, 'StatefulSet', 'partnergraph').spec.template.spec;
}
function etcd(objs) {
  return named(objs, 'StatefulSet', 'partnergraph-etcd');
}
// Replaces the etcd container's argument that starts with PREFIX (or drops
// it when `value` is undefined).
function setEtcdArg(objs, prefix, value) {
  const c = etcd(objs).spec.template.spec.containers[0];
  const i = c.args.findIndex((a) => a.startsWith(prefix));
  assert.ok(i >= 0, `no etcd argument ${prefix}`);
  if (value === undefined) c.args.splice(i, 1);
  else c.args[i] = value;
}
function editFlags(objs, file, edit) {
  const cm = find(objs, 'ConfigMap', 'partnergraphd-flags');
  const before = cm.data[file];
  cm.data[file] = edit(before);
  assert.notStrictEqual(cm.data[file], before, `the edit changed nothing in ${file}`);
}
function problems(objs) {
  return checkSchemas(objs).concat(checkPolicy(objs));
}
function assertProblem(objs, want) {
  const got = problems(objs);
  assert.ok(got.some((p) => p.includes(want)),
      `want a problem containing ${JSON.stringify(want)}, got:\n${got.join('\n') || '(none)'}`);
}

test('every overlay passes schema and policy', () => {
  for (const want of ['dev', 'prod', 'cluster']) assert.ok(overlays.includes(want), `no overlay ${want}`);
  for (const overlay of overlays) {
    assert.deepStrictEqual(problems(objects(overlay)), [], overlay);
  }
});

test('the broken fixture overlay is rejected, naming both problems', () => {
  const fixture = render(path.join(__dirname, 'fixtures/broken'));
  const r = spawnSync('node', [path.join(validateDir, 'validate.js'), '-'],
      {input: fixture, encoding: 'utf8'});
  assert.strictEqual(r.status, 1, r.stdout + r.stderr);
  assert.match(r.stderr, /StatefulSet\/partnergraph: schema: spec\.replicas: want integer/);
  assert.match(r.stderr, /StatefulSet\/partnergraph: spec\.template\.spec\.containers\[0\]\.securityContext: missing/);
});

// [overlay, mutation, the problem it must produce]
const cases = [
  ['dev', 'wrong type deep in a pod spec', (o) => {
    server(o).containers[0].ports[0].containerPort = '50051';
  }, 'schema: spec.template.spec.containers[0].ports[0].containerPort: want integer'],
  ['dev', 'a required field missing', (o) => {
    delete server(o).containers[0].name;
  }, 'schema: spec.template.spec.containers[0].name: required field missing'],
  ['dev', 'a misspelled field', (o) => {
    server(o).containers[0].securityContext.readOnlyRootFileSystem = true;
  }, 'schema: spec.template.spec.containers[0].securityContext.readOnlyRootFileSystem: unknown field'],
  ['prod', 'a misspelled field in an inline type', (o) => {
    find(o, 'StatefulSet').spec.volumeClaimTemplates[0].spec.resources.request = {storage: '1Gi'};
  }, 'schema: spec.volumeClaimTemplates[0].spec.resources.request: unknown field'],
  ['dev', 'an unknown kind', (o) => {
    o.push({apiVersion: 'v1', kind: 'Deploymnet', metadata: {name: 'x', labels: {}}});
  }, 'no Kubernetes schema for apiVersion "v1" kind "Deploymnet"'],
  ['dev', 'privilege escalation allowed', (o) => {
    server(o).containers[0].securityContext.allowPrivilegeEscalation = true;
  }, 'securityContext.allowPrivilegeEscalation: want false'],
  ['dev', 'writable root filesystem', (o) => {
    delete server(o).containers[0].securityContext.readOnlyRootFilesystem;
  }, 'securityContext.readOnlyRootFilesystem: want true'],
  ['dev', 'a capability added', (o) => {
    server(o).containers[0].securityContext.capabilities.add = ['NET_ADMIN'];
  }, 'securityContext.capabilities.add: want none'],
  ['dev', 'unconfined seccomp', (o) => {
    server(o).containers[0].securityContext.seccompProfile.type = 'Unconfined';
  }, 'seccompProfile.type: want RuntimeDefault, got "Unconfined"'],
  ['dev', 'root allowed', (o) => {
    server(o).containers[0].securityContext.runAsNonRoot = false;
  }, 'securityContext.runAsNonRoot: want true'],
  ['dev', 'no emptyDir at /tmp', (o) => {
    const c = server(o).containers[0];
    c.volumeMounts = c.volumeMounts.filter((m) => m.mountPath !== '/tmp');
  }, 'want an emptyDir at /tmp'],
  ['dev', 'no resources', (o) => {
    delete server(o).containers[0].resources;
  }, 'resources.requests.cpu: missing'],
  ['dev', 'latest image', (o) => {
    server(o).containers[0].image = 'partnergraph:latest';
  }, 'want an explicit tag other than latest'],
  ['dev', 'a Service without the common labels', (o) => {
    find(o, 'Service', 'partnergraph-headless').metadata.labels = {};
  }, 'Service/partnergraph-headless: metadata.labels: app.kubernetes.io/name missing'],
  ['dev', 'a Service that also selects the Job pods', (o) => {
    delete find(o, 'Service', 'partnergraph').spec.selector['app.kubernetes.io/component'];
  }, 'also selects the pods of Job/partnergraph-load-demo'],
  ['dev', 'replicas 2', (o) => {
    find(o, 'StatefulSet').spec.replicas = 2;
  }, 'spec.replicas: want 1, got 2'],
  ['dev', 'an HTTP probe', (o) => {
    server(o).containers[0].readinessProbe = {httpGet: {path: '/', port: 9090}};
  }, 'readinessProbe: want a native gRPC probe'],
  ['dev', 'a probe on the wrong port', (o) => {
    server(o).containers[0].livenessProbe.grpc.port = 50051;
  }, 'livenessProbe.grpc.port: want 50052 (--health_listen), got 50051'],
  ['dev', 'a metrics port that is not --metrics_listen', (o) => {
    server(o).containers[0].ports.find((p) => p.name === 'metrics').containerPort = 9091;
  }, 'ports: metrics: want containerPort 9090 (--metrics_listen), got 9091'],
  ['dev', 'no scrape annotations', (o) => {
    find(o, 'StatefulSet').spec.template.metadata.annotations = {};
  }, 'prometheus.io/scrape: want "true"'],
  ['dev', 'grace period shorter than the server\'s', (o) => {
    server(o).terminationGracePeriodSeconds = 20;
  }, 'terminationGracePeriodSeconds: want >= 25 (--grace_seconds=20 plus 5s to close the store), got 20'],
  ['dev', 'a PodDisruptionBudget that blocks drains', (o) => {
    const pdb = find(o, 'PodDisruptionBudget').spec;
    delete pdb.maxUnavailable;
    pdb.minAvailable = 1;
  }, 'spec.maxUnavailable: want >= 1'],
  ['dev', 'no PodDisruptionBudget', (o) => {
    o.splice(o.indexOf(find(o, 'PodDisruptionBudget')), 1);
  }, 'no PodDisruptionBudget selects the partnergraphd pods'],
  ['dev', 'a NetworkPolicy admitting the health port', (o) => {
    find(o, 'NetworkPolicy').spec.ingress[0].ports.push({port: 50052, protocol: 'TCP'});
  }, 'want exactly the gRPC and metrics ports [50051,9090], got [50051,9090,50052]'],
  ['dev', 'a NetworkPolicy rule without ports', (o) => {
    find(o, 'NetworkPolicy').spec.ingress.push({from: [{podSelector: {}}]});
  }, 'spec.ingress[1].ports: missing, which admits every port'],
  ['dev', 'data_dir off the claimed volume', (o) => {
    const cm = find(o, 'ConfigMap', 'partnergraphd-flags');
    cm.data['overlay.flags'] += '--data_dir=/tmp/db\n';
  }, '--data_dir=/tmp/db: not on a volumeClaimTemplate volume'],
  ['dev', 'the Job dialing a missing Service', (o) => {
    const job = find(o, 'Job').spec.template.spec.containers[0];
    job.args = job.args.map((a) => a.replace(/^--server=.*/, '--server=nowhere:50051'));
  }, '--server=nowhere:50051: not a Service of the manifest'],
  ['dev', 'no transport', (o) => {
    const cm = find(o, 'ConfigMap', 'partnergraphd-flags');
    cm.data['overlay.flags'] = cm.data['overlay.flags'].replace('--plaintext', '');
  }, 'no transport: want --plaintext or --tls_cert/--tls_key'],
  ['prod', 'an inlined Secret', (o) => {
    o.push({apiVersion: 'v1', kind: 'Secret', metadata: {name: 'partnergraph-tls', labels: {}},
      stringData: {'tls.key': 'x'}});
  }, 'Secret/partnergraph-tls: Secret rendered into the manifest'],
  ['prod', 'key material in a ConfigMap', (o) => {
    find(o, 'ConfigMap', 'partnergraphd-flags').data['tls.key'] =
        '-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n';
  }, 'data.tls.key: holds key material'],
  ['prod', 'a token inlined in env', (o) => {
    server(o).containers[0].env = [{name: 'PARTNERGRAPH_TOKEN', value: 's3cr3t'}];
  }, 'env[0].value: PARTNERGRAPH_TOKEN inlined'],
  ['prod', 'TLS material from a ConfigMap', (o) => {
    const v = server(o).volumes.find((x) => x.name === 'tls');
    delete v.secret;
    v.configMap = {name: 'partnergraph-tls'};
  }, '--tls_cert=/etc/partnergraph/tls/tls.crt: not in a Secret volume'],
  ['prod', 'TLS without a health port', (o) => {
    const cm = find(o, 'ConfigMap', 'partnergraphd-flags');
    cm.data['server.flags'] = cm.data['server.flags'].replace(/^--health_listen=.*$/m, '');
  }, '--health_listen: required with TLS'],
  ['prod', 'a cache bigger than half the memory limit', (o) => {
    find(o, 'ConfigMap', 'partnergraphd-flags').data['overlay.flags'] += '--cache_mb=4096\n';
  }, '--cache_mb=4096: want at most half of resources.limits.memory (4Gi)'],
  ['cluster', 'two replicas of the embedded store', (o) => {
    editFlags(o, 'overlay.flags', (f) => f.replace(/^--store=etcd$/m, ''));
  }, 'StatefulSet/partnergraph: spec.replicas: want 1, got 2'],
  ['cluster', 'an endpoint that is no member', (o) => {
    editFlags(o, 'overlay.flags', (f) => f.replace('partnergraph-etcd-2.', 'partnergraph-etcd-3.'));
  }, '--etcd_endpoints: partnergraph-etcd-3.partnergraph-etcd-headless.partnergraph-cluster.svc:2379: not a member of StatefulSet/partnergraph-etcd'],
  ['cluster', 'an endpoint in another namespace', (o) => {
    editFlags(o, 'overlay.flags', (f) => f.replace('headless.partnergraph-cluster.', 'headless.partnergraph.'));
  }, '--etcd_endpoints: partnergraph-etcd-0.partnergraph-etcd-headless.partnergraph.svc:2379: not a member'],
  ['cluster', 'an endpoint on the peer port', (o) => {
    editFlags(o, 'overlay.flags', (f) => f.replace('svc:2379,', 'svc:2380,'));
  }, 'port 2380 is not etcd\'s client port [2379]'],
  ['cluster', 'a member left out of the endpoints', (o) => {
    editFlags(o, 'overlay.flags', (f) => f.replace(/,partnergraph-etcd-2\.[^,\n]*/, ''));
  }, '--etcd_endpoints: lists no partnergraph-etcd-2'],
  ['cluster', 'a restore on etcd', (o) => {
    editFlags(o, 'overlay.flags', (f) => `${f}--restore_from=/var/lib/partnergraph/backups/backup-1\n`);
  }, '--restore_from: refused by partnergraphd with --store=etcd'],
  ['cluster', 'an even number of etcd members', (o) => {
    etcd(o).spec.replicas = 4;
  }, 'StatefulSet/partnergraph-etcd: spec.replicas: want an odd number of members, at least 3, got 4'],
  ['cluster', 'etcd members started one after the other', (o) => {
    etcd(o).spec.podManagementPolicy = 'OrderedReady';
  }, 'spec.podManagementPolicy: want Parallel, got "OrderedReady"'],
  ['cluster', 'a headless etcd Service hiding members that are not ready', (o) => {
    named(o, 'Service', 'partnergraph-etcd-headless').spec.publishNotReadyAddresses = false;
  }, 'Service/partnergraph-etcd-headless: spec.publishNotReadyAddresses: want true'],
  ['cluster', 'an etcd member not named as its pod', (o) => {
    setEtcdArg(o, '--name=', '--name=etcd');
  }, '--name: want $(VAR) with VAR from fieldRef metadata.name, got "etcd"'],
  ['cluster', 'a member missing from --initial-cluster', (o) => {
    const c = etcd(o).spec.template.spec.containers[0];
    setEtcdArg(o, '--initial-cluster=', c.args.find((a) => a.startsWith('--initial-cluster=')).replace(/,partnergraph-etcd-2=[^,]*/, ''));
  }, '--initial-cluster: names no member partnergraph-etcd-2'],
  ['cluster', 'etcd data off the claimed volume', (o) => {
    setEtcdArg(o, '--data-dir=', '--data-dir=/tmp/etcd');
  }, '--data-dir=/tmp/etcd: not on a volumeClaimTemplate volume'],
  ['cluster', 'etcd\'s default Txn size', (o) => {
    setEtcdArg(o, '--max-txn-ops=', undefined);
  }, '--max-txn-ops: want at least 10000, got undefined'],
  ['cluster', 'etcd\'s default request size', (o) => {
    setEtcdArg(o, '--max-request-bytes=', '--max-request-bytes=1572864');
  }, '--max-request-bytes: want at least 10485760, got "1572864"'],
  ['cluster', 'no readiness probe on etcd', (o) => {
    delete etcd(o).spec.template.spec.containers[0].readinessProbe;
  }, 'StatefulSet/partnergraph-etcd: spec.template.spec.containers[0].readinessProbe: missing'],
  ['cluster', 'etcd members free to share a node', (o) => {
    delete etcd(o).spec.template.spec.affinity;
  }, 'want a term on kubernetes.io/hostname selecting the members'],
  ['cluster', 'an etcd PodDisruptionBudget below the quorum', (o) => {
    named(o, 'PodDisruptionBudget', 'partnergraph-etcd').spec.minAvailable = 1;
  }, 'PodDisruptionBudget/partnergraph-etcd: spec.minAvailable: want 2, the quorum of 3 members, got 1'],
  ['cluster', 'no etcd PodDisruptionBudget', (o) => {
    o.splice(o.indexOf(named(o, 'PodDisruptionBudget', 'partnergraph-etcd')), 1);
  }, 'no PodDisruptionBudget selects the pods of StatefulSet/partnergraph-etcd'],
  ['cluster', 'no etcd NetworkPolicy', (o) => {
    o.splice(o.indexOf(named(o, 'NetworkPolicy', 'partnergraph-etcd')), 1);
  }, 'no NetworkPolicy selects the pods of StatefulSet/partnergraph-etcd'],
  ['cluster', 'etcd\'s client port open to everyone', (o) => {
    delete named(o, 'NetworkPolicy', 'partnergraph-etcd').spec.ingress[0].from;
  }, 'admits the client port 2379 from everywhere'],
  ['cluster', 'etcd\'s client port closed to partnergraphd', (o) => {
    named(o, 'NetworkPolicy', 'partnergraph-etcd').spec.ingress[0].from[0].podSelector.matchLabels['app.kubernetes.io/component'] = 'etcd';
  }, 'admits the client port 2379 to no partnergraphd pod'],
  ['cluster', 'an etcd Service that also selects partnergraphd', (o) => {
    delete named(o, 'Service', 'partnergraph-etcd').spec.selector['app.kubernetes.io/component'];
  }, 'Service/partnergraph-etcd: spec.selector: selects both the partnergraphd and the etcd pods'],
  ['cluster', 'an etcd Service on a port etcd does not serve', (o) => {
    named(o, 'Service', 'partnergraph-etcd').spec.ports[0].targetPort = 'grpc';
  }, 'Service/partnergraph-etcd: spec.ports[0].targetPort: "grpc" is not an etcd container port'],
  ['cluster', 'etcd with a writable root filesystem', (o) => {
    delete etcd(o).spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem;
  }, 'StatefulSet/partnergraph-etcd: spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem: want true'],
  ['cluster', 'etcd without a memory limit', (o) => {
    delete etcd(o).spec.template.spec.containers[0].resources.limits;
  }, 'StatefulSet/partnergraph-etcd: spec.template.spec.containers[0].resources.limits.memory: missing'],
];

for (const [overlay, label, mutate, want] of cases) {
  test(`rejects ${label} (${overlay})`, () => {
    const objs = objects(overlay);
    mutate(objs);
    assertProblem(objs, want);
  });
}

test('help parsers read Abseil and CLI11 help', () => {
  const absl = parseAbslHelp([
    '  Flags from ./absl/flags/parse.cc:',
    '    --flagfile (comma-separated list of files to load flags from); default: ;',
    '  Flags from some/other/lib.cc:',
    '    --not_ours (x); default: 1;',
    '  Flags from server/main.cc:',
    '    --plaintext (Serve gRPC without TLS.); default: false;',
    '    --listen (Address to serve gRPC on, HOST:PORT. Port 0 picks a free port and',
    '      prints it.); default: "0.0.0.0:50051";',
  ].join('\n'));
  assert.deepStrictEqual([...absl.keys()].sort(), ['flagfile', 'listen', 'plaintext']);
  assert.strictEqual(absl.get('plaintext').bool, true);
  assert.strictEqual(absl.get('listen').bool, false);
  const cli = parseCli11Help([
    'Usage: partnerctl [OPTIONS] SUBCOMMAND',
    '',
    'Options:',
    '  -h,--help                   Print this help message and exit',
    '  -s,--server TEXT=localhost:50051 (Env:PARTNERGRAPH_SERVER)',
    '  --dry-run                   Report what would change without writing',
    '',
    'Subcommands:',
    '  company, companies          Create, read',
    '  apply                       Create or update',
  ].join('\n'));
  assert.deepStrictEqual([...cli.options.keys()].sort(), ['--dry-run', '--help', '--server', '-h', '-s']);
  assert.strictEqual(cli.options.get('--server').takesValue, true);
  assert.strictEqual(cli.options.get('--dry-run').takesValue, false);
  assert.deepStrictEqual([...cli.subcommands].sort(), ['apply', 'companies', 'company']);
  const etcdHelp = parseEtcdHelp([
    'Usage:',
    '',
    '  etcd [flags]',
    '',
    'Member:',
    '  --name \'default\'',
    '    Human-readable name for this member.',
    '  --max-txn-ops \'128\'',
    '    Maximum number of operations permitted in a transaction.',
  ].join('\n'));
  assert.deepStrictEqual([...etcdHelp].sort(), ['max-txn-ops', 'name']);
});

const binaries = {partnergraphd: process.env.PARTNERGRAPHD, partnerctl: process.env.PARTNERCTL};
test('unknown etcd flags are named, with where they are passed', {skip: !process.env.ETCD}, () => {
  const objs = objects('cluster');
  setEtcdArg(objs, '--max-txn-ops=', '--max-txn-op=10000');
  const got = checkFlags(objs, {etcd: process.env.ETCD});
  assert.ok(got.some((p) => /StatefulSet\/partnergraph-etcd: spec\.template\.spec\.containers\[0\]\.args\[\d+\]: --max-txn-op: unknown to etcd --help/.test(p)), got.join('\n'));
  assert.strictEqual(got.length, 1, got.join('\n'));
});
test('unknown flags are named, with where they are passed', {skip: !binaries.partnergraphd || !binaries.partnerctl}, () => {
  const objs = objects('dev');
  find(objs, 'ConfigMap', 'partnergraphd-flags').data['overlay.flags'] += '--no_such_flag=1\n';
  const job = find(objs, 'Job').spec.template.spec.containers[0];
  job.args = job.args.concat(['--no-such-option']);
  const got = checkFlags(objs, binaries);
  assert.ok(got.some((p) => /flagfile \/etc\/partnergraph\/flags\/overlay\.flags:\d+: --no_such_flag: unknown to partnergraphd --help/.test(p)), got.join('\n'));
  assert.ok(got.some((p) => /args\[4\]: --no-such-option: unknown to partnerctl apply --help/.test(p)), got.join('\n'));
  assert.ok(!got.some((p) => /--listen:|--data_dir:|--server:|--filename:/.test(p)), got.join('\n'));
});
