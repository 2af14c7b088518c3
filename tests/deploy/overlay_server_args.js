'use strict';
// Prints, one per line, the arguments an overlay's partnergraphd container
// is started with, for starting it here: --flagfile files are copied out of
// the rendered ConfigMaps into OUT_DIR, and the flags that name addresses,
// directories or Secret files are overridden (appended last, so they win)
// with the values given as NAME=VALUE arguments. Fails naming any flag whose
// value is a path not overridden.
//
// usage: node overlay_server_args.js RENDERED.yaml OUT_DIR [NAME=VALUE...]

const fs = require('fs');
const path = require('path');
const lib = path.resolve(__dirname, '../../deploy/validate/lib');
const {parseManifest, configMapFile} = require(path.join(lib, 'manifest'));
const {serverContainers, collectServerFlags, splitFlag} = require(path.join(lib, 'flags'));

const [rendered, outDir, ...overrides] = process.argv.slice(2);
const objects = parseManifest(fs.readFileSync(rendered, 'utf8'));
const servers = serverContainers(objects);
if (servers.length !== 1) {
  console.error(`want one partnergraphd container, got ${servers.length}`);
  process.exit(1);
}
const {podSpec, container, where} = servers[0];
const {values, problems} = collectServerFlags(objects, podSpec, container, where);
if (problems.length > 0) {
  console.error(problems.join('\n'));
  process.exit(1);
}
const override = new Map(overrides.map((o) => [o.slice(0, o.indexOf('=')), o.slice(o.indexOf('=') + 1)]));
const args = [];
for (const arg of container.args || []) {
  const flag = splitFlag(arg);
  if (flag && flag.name === 'flagfile') {
    const local = flag.value.split(',').map((p, i) => {
      const file = path.join(outDir, `flagfile-${i}-${path.basename(p)}`);
      fs.writeFileSync(file, configMapFile(objects, podSpec, container, p));
      return file;
    });
    args.push(`--flagfile=${local.join(',')}`);
  } else {
    args.push(arg);
  }
}
const unmapped = [];
for (const [name, value] of values) {
  if (override.has(name)) continue;
  if (value.startsWith('/') || /^[0-9.]+:[0-9]+$/.test(value)) unmapped.push(`--${name}=${value}`);
}
if (unmapped.length > 0) {
  console.error(`flags naming paths or addresses of the pod, with no override here: ${unmapped.join(' ')}`);
  process.exit(1);
}
for (const [name, value] of override) {
  if (values.has(name)) args.push(`--${name}=${value}`);
}
process.stdout.write(args.join('\n') + '\n');
