// User management through Digital Asset's own JSON API client (@daml/ledger 2.10.4) against a running
// `lso ledger serve`. Run by tests/ledger/test_users_jsonapi.py:
//   LEDGER_URL=http://127.0.0.1:PORT/ ADMIN_TOKEN=... USER_ID=... PARTY=... OTHER=... \
//   USER_TOKEN=... STRANGER_TOKEN=... node users.test.js
// Prints one JSON line of what it saw; exits 1 with the error on the first failed check.
"use strict";

const { default: Ledger, UserRightHelper } = require("@daml/ledger");
const jtv = require("@mojotech/json-type-validation");
const assert = require("assert");

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`missing ${name}`);
  return value;
};

const statusOf = async (promise) => {
  try {
    await promise;
    return 200;
  } catch (error) {
    return error.status;
  }
};

async function main() {
  const httpBaseUrl = env("LEDGER_URL");
  const userId = env("USER_ID");
  const party = env("PARTY");
  const other = env("OTHER");
  const admin = new Ledger({ token: env("ADMIN_TOKEN"), httpBaseUrl });
  const seen = {};

  await admin.createUser(userId, [UserRightHelper.canActAs(party)], party);
  seen.created = await admin.getUser(userId);
  assert.deepStrictEqual(seen.created, { userId, primaryParty: party });
  seen.listed = (await admin.listUsers()).map((u) => u.userId);
  assert.ok(seen.listed.includes(userId) && seen.listed.includes("participant_admin"));

  seen.granted = await admin.grantUserRights(userId, [
    UserRightHelper.canReadAs(other),
    UserRightHelper.canActAs(party), // already held: not newly granted
  ]);
  assert.deepStrictEqual(seen.granted, [{ type: "CanReadAs", party: other }]);
  seen.rights = await admin.listUserRights(userId);
  assert.strictEqual(seen.rights.length, 2);

  // the user itself, with its own token: its user and rights, nothing of anybody else's
  const own = new Ledger({ token: env("USER_TOKEN"), httpBaseUrl });
  seen.ownUser = await own.getUser();
  assert.strictEqual(seen.ownUser.userId, userId);
  seen.ownRights = await own.listUserRights();
  assert.strictEqual(seen.ownRights.length, 2);
  seen.ownListUsers = await statusOf(own.listUsers());
  assert.strictEqual(seen.ownListUsers, 403);
  seen.ownCreateUser = await statusOf(own.createUser(`${userId}-x`, []));
  assert.strictEqual(seen.ownCreateUser, 403);
  seen.ownOtherUser = await statusOf(own.getUser("participant_admin"));
  assert.strictEqual(seen.ownOtherUser, 403);

  // rights take effect for the next request
  const order = {
    orderId: `o-${userId}`,
    customer: party,
    manufacturer: other,
    productId: "bike-42",
    quantity: "1",
    items: [{ itemId: "bike-frame", description: "custom frame", quantity: "1", price: "120.5" }],
    price: "120.5",
    currency: "EUR",
    deliveryDate: "2027-03-01",
    penalty: null,
  };
  // a template companion as `daml codegen js` would generate it, reduced to what create needs
  const template = {
    templateId: "LotSizeOne.Contract:CustomerOrder",
    encode: (payload) => payload,
    decoder: jtv.unknownJson(),
    keyDecoder: jtv.optional(jtv.unknownJson()),
  };
  const created = await own.create(template, order);
  seen.createdByUser = created.contractId.length > 0;
  seen.revoked = await admin.revokeUserRights(userId, [UserRightHelper.canActAs(party)]);
  assert.deepStrictEqual(seen.revoked, [{ type: "CanActAs", party }]);
  seen.createAfterRevoke = await statusOf(own.create(template, { ...order, orderId: `p-${userId}` }));
  assert.strictEqual(seen.createAfterRevoke, 403);

  // a token of a user the participant does not know: refused everywhere
  const stranger = new Ledger({ token: env("STRANGER_TOKEN"), httpBaseUrl });
  seen.stranger = {
    parties: await statusOf(stranger.listKnownParties()),
    packages: await statusOf(stranger.listPackages()),
    user: await statusOf(stranger.getUser()),
  };
  assert.deepStrictEqual(seen.stranger, { parties: 403, packages: 403, user: 403 });

  await admin.deleteUser(userId);
  seen.afterDelete = await statusOf(admin.getUser(userId));
  assert.strictEqual(seen.afterDelete, 404);
  seen.ownAfterDelete = await statusOf(own.getUser());
  assert.strictEqual(seen.ownAfterDelete, 403);
  console.log(JSON.stringify(seen));
}

main().catch((error) => {
  console.error(error && error.stack ? error.stack : JSON.stringify(error));
  process.exit(1);
});
