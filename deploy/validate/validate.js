#!/usr/bin/env node
'use strict';
// Validates rendered partnergraph manifests (the output of `kubectl
// kustomize deploy/k8s/overlays/NAME`) offline:
//   schema  every object against the Kubernetes OpenAPI schemas
//   policy  the project's deployment policy (lib/policy.js lists the rules)
//   flags   every flag passed to partnergraphd (args and --flagfile files)
//           is known to `partnergraphd --helpfull`, every partnerctl flag
//           and command of a Job to `partnerctl [command] --help`, and every
//           flag of an etcd container to `etcd --help`
//
// Usage:
//   node validate.js [--checks=schema,policy,flags] [--partnergraphd=PATH]
//                    [--partnerctl=PATH] [--etcd=PATH] RENDERED.yaml|-
//
// Prints one line per problem, "Kind/name: field: what is wrong (rule)", on
// stderr, and exits 1 when there is any; 0 and "ok: ..." otherwise; 2 on a
// usage error. The flags check needs --partnergraphd, --partnerctl and/or
// --etcd (each checks its own binary's flags).

const fs = require('fs');
const {parseManifest} = require('./lib/manifest');
const {checkSchemas} = require('./lib/schema');
const {checkPolicy} = require('./lib/policy');
const {checkFlags} = require('./lib/flags');

function usage(message) {
  process.stderr.write(`validate.js: ${message}\n` +
      'usage: node validate.js [--checks=schema,policy,flags] [--partnergraphd=PATH] [--partnerctl=PATH] [--etcd=PATH] RENDERED.yaml|-\n');
  process.exit(2);
}

function main(argv) {
  let checks = ['schema', 'policy'];
  const binaries = {};
  let input;
  for (const arg of argv) {
    let m;
    if ((m = /^--checks=(.*)$/.exec(arg))) {
      checks = m[1].split(',').filter(Boolean);
      for (const c of checks) {
        if (!['schema', 'policy', 'flags'].includes(c)) usage(`--checks: want schema, policy or flags, got "${c}"`);
      }
    } else if ((m = /^--(partnergraphd|partnerctl|etcd)=(.+)$/.exec(arg))) {
      binaries[m[1]] = m[2];
    } else if (arg.startsWith('--')) {
      usage(`unknown flag ${arg}`);
    } else if (input === undefined) {
      input = arg;
    } else {
      usage(`unexpected argument "${arg}"`);
    }
  }
  if (input === undefined) usage('want a rendered manifest file (or - for stdin)');
  if (checks.includes('flags') && !binaries.partnergraphd && !binaries.partnerctl && !binaries.etcd) {
    usage('--checks=flags: want --partnergraphd=PATH, --partnerctl=PATH and/or --etcd=PATH');
  }
  let objects;
  try {
    objects = parseManifest(fs.readFileSync(input === '-' ? 0 : input, 'utf8'));
  } catch (e) {
    process.stderr.write(`${input}: ${e.message}\n`);
    return 1;
  }
  if (objects.length === 0) {
    process.stderr.write(`${input}: no objects\n`);
    return 1;
  }
  const problems = [];
  if (checks.includes('schema')) problems.push(...checkSchemas(objects));
  if (checks.includes('policy')) problems.push(...checkPolicy(objects));
  if (checks.includes('flags')) {
    try {
      problems.push(...checkFlags(objects, binaries));
    } catch (e) {
      problems.push(`flags: ${e.message}`);
    }
  }
  for (const p of problems) process.stderr.write(`${p}\n`);
  if (problems.length > 0) {
    process.stderr.write(`${input}: ${problems.length} problem(s) (${checks.join(', ')})\n`);
    return 1;
  }
  process.stdout.write(`ok: ${input}: ${objects.length} objects pass ${checks.join(', ')}\n`);
  return 0;
}

process.exitCode = main(process.argv.slice(2));
