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
  keepCase: true, // field names as in the .proto (request_id), as the README and grpcurl spell them
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

function call(client, method, request) {
  const metadata = new grpc.Metadata();
  if (process.env.TRANCHE_TOKEN) {
    metadata.add('authorization', 'Bearer ' + process.env.TRANCHE_TOKEN);
  }
  const deadline = new Date(Date.now() + 10000);
  return new Promise((resolve, reject) =>
    client[method](request, metadata, { deadline }, (err, response) => (err ? reject(err) : resolve(response))));
}

async function main() {
  const client = new tranche.QueueService(process.argv[2], grpc.credentials.createInsecure());
  try {
    for (const [id, demand, tier, cap] of SEED) {
      const claim = { id, demand, tier };
      if (cap !== null) {
        claim.cap = cap;
      }
      await call(client, 'CreateClaim', { claim });
    }
    const t = await call(client, 'ReleaseTranche', {
      request_id: 'node-t1', supply: 400000, policy: { method: 'PROPORTIONAL', lot: 8 },
    });
    console.log(`released tranche ${t.number}: allocated ${t.allocated} of ${t.supply}`);

    const ledger = await call(client, 'ListTranches', {});
    const awards = {};
    for (const entry of ledger.tranches) {
      console.log(`ledger: tranche ${entry.number} (request ${entry.request_id})`);
      for (const a of entry.awards) {
        console.log(`  ${a.id.padEnd(14)} ${String(a.units).padStart(8)}`);
        awards[a.id] = a.units;
      }
    }
    // The same split as './tranche allocate --table examples/seed.json'
    const expected = {
      'alpha-cloud': 184616, 'beta-search': 123080, 'gamma-social': 92304,
      'delta-labs': 0, 'epsilon-ai': 0, 'zeta-robotics': 0,
    };
    if (ledger.tranches.length !== 1 || JSON.stringify(awards) !== JSON.stringify(expected)) {
      console.error('unexpected ledger: ' + JSON.stringify(awards));
      return 1;
    }
    console.log('node client: ok');
    return 0;
  } finally {
    client.close();
  }
}

main().then((status) => process.exit(status), (err) => {
  console.error(`node client: ${err.code !== undefined ? grpc.status[err.code] + ': ' : ''}${err.details || err.message}`);
  process.exit(1);
});
