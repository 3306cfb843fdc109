// tranche from Node: create the seed scenario's claims, release one tranche, read the ledger.
// Usage: node client.js HOST:PORT   (TRANCHE_TOKEN, when set, is sent as a bearer token)
// The .proto files are loaded at run time from proto/, so the client cannot drift from the contract.
'use strict';
const path = require('path');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

const protoRoot = path.join(__dirname, '..', '..', '..', 'proto', 'src', 'main', 'proto');
const definition = protoLoader.loadSync(['tranche/v1/queue.proto'], {
  includeDirs: [protoRoot],
  keepCase: true, // field names as in the .proto (request_id), as the docs and grpcurl spell them
  longs: Number, // every amount here is far below 2^53; use String for values near 2^62
  enums: String,
  defaults: true,
});
const tranche = grpc.loadPackageDefinition(definition).tranche.v1;

const SEED = [ // id, demand, tier, cap: examples/seed.json
  ['alpha-cloud', 300000, 0, null],
  ['beta-search', 200000, 0, null],
  ['gamma-social', 150000, 0, 120000],
  ['delta-labs', 40000, 1, null],
  ['epsilon-ai', 25000, 1, null],
  ['zeta-robotics', 12000, 1, null],
];

// On a cluster member every answer says which log position its state includes; a read sent with the position of
// this client's last write sees that write on any member (a single node sends no position and needs none).
let lastPosition = 0;

function remember(metadata) {
  for (const value of metadata ? metadata.get('tranche-applied-position') : []) {
    if (/^[0-9]+$/.test(String(value))) {
      lastPosition = Math.max(lastPosition, Number(value));
    }
  }
}

function call(client, method, request) {
  const metadata = new grpc.Metadata();
  if (process.env.TRANCHE_TOKEN) {
    metadata.add('authorization', 'Bearer ' + process.env.TRANCHE_TOKEN);
  }
  if (lastPosition > 0) {
    metadata.add('tranche-min-applied-position', String(lastPosition));
  }
  const deadline = new Date(Date.now() + 30000);
  return new Promise((resolve, reject) => {
    const pending = client[method](request, metadata, { deadline }, (err, response) => {
      if (err) {
        remember(err.metadata);
        reject(err);
      } else {
        resolve(response);
      }
    });
    pending.on('metadata', remember);
  });
}

const EXPECTED = { // the same split as './tranche allocate --table examples/seed.json'
  'alpha-cloud': 184616, 'beta-search': 123080, 'gamma-social': 92304,
  'delta-labs': 0, 'epsilon-ai': 0, 'zeta-robotics': 0,
};

// Idempotent: a claim already queued is kept, and the release carries its own request_id, so a second run gets
// the recorded tranche back.
async function main() {
  const target = process.argv[2];
  const client = new tranche.QueueService(target, grpc.credentials.createInsecure());
  try {
    let created = 0;
    let kept = 0;
    for (const [id, demand, tier, cap] of SEED) {
      const claim = { id, demand, tier };
      if (cap !== null) {
        claim.cap = cap;
      }
      try {
        await call(client, 'CreateClaim', { claim });
        created++;
      } catch (err) {
        if (err.code !== grpc.status.ALREADY_EXISTS) {
          throw err;
        }
        kept++;
      }
    }
    console.log(`created ${created} claim(s); ${kept} already queued, kept`);
    const t = await call(client, 'ReleaseTranche', {
      request_id: 'node-t1', supply: 400000, policy: { method: 'PROPORTIONAL', lot: 8 },
    });
    console.log(`released tranche ${t.number} (request ${t.request_id}): allocated ${t.allocated} of ${t.supply}`);

    const recorded = await call(client, 'GetTranche', { number: t.number });
    const awards = {};
    for (const a of recorded.awards) {
      console.log(`  ${a.id.padEnd(14)} ${String(a.units).padStart(8)}`);
      awards[a.id] = a.units;
    }
    if (JSON.stringify(awards) !== JSON.stringify(EXPECTED)) {
      console.error(`node client: tranche ${t.number} is not the seed scenario's split: the queue held other ` +
        'claims or demands (run against a fresh --data-dir)');
      return 1;
    }
    console.log('node client: ok');
    return 0;
  } finally {
    client.close();
  }
}

main().then((status) => process.exit(status), (err) => {
  if (err.code === grpc.status.UNAVAILABLE) {
    console.error(`node client: UNAVAILABLE: cannot reach ${process.argv[2]} (is './tranche serve' running there?)`);
  } else {
    console.error(`node client: ${err.code !== undefined ? grpc.status[err.code] + ': ' : ''}${err.details || err.message}`);
  }
  process.exit(1);
});
