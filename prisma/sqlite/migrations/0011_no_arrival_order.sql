-- Hand-written (issue 16): no table whose rows name a member, a request or an invite keeps a rowid,
-- whose order is the order rows were written in. Member, Invite, Nonce and RateWindow become
-- WITHOUT ROWID tables, stored in the order of their random (or hashed) primary keys, like Report
-- (0001). The rows are copied in random order.
-- Member is a parent of Report's foreign key: it is dropped with the violations deferred (the
-- migration runs in one transaction) and its rows put back under the same name, which clears them.
PRAGMA defer_foreign_keys=ON;

CREATE TEMP TABLE "_Member_copy" AS SELECT "keyId", "publicKey", "revoked", "quarantined" FROM "Member";
DROP TABLE "Member";
CREATE TABLE "Member" (
    "keyId" TEXT NOT NULL PRIMARY KEY,
    "publicKey" TEXT NOT NULL,
    "revoked" BOOLEAN NOT NULL DEFAULT false,
    "quarantined" BOOLEAN NOT NULL DEFAULT false
) WITHOUT ROWID;
INSERT INTO "Member" ("keyId", "publicKey", "revoked", "quarantined")
  SELECT "keyId", "publicKey", "revoked", "quarantined" FROM "_Member_copy" ORDER BY random();
DROP TABLE "_Member_copy";
CREATE UNIQUE INDEX "Member_publicKey_key" ON "Member"("publicKey");

CREATE TABLE "new_Invite" (
    "tokenHash" TEXT NOT NULL PRIMARY KEY,
    "expiresAt" INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO "new_Invite" SELECT "tokenHash", "expiresAt" FROM "Invite" ORDER BY random();
DROP TABLE "Invite";
ALTER TABLE "new_Invite" RENAME TO "Invite";

CREATE TABLE "new_Nonce" (
    "hash" TEXT NOT NULL PRIMARY KEY,
    "expiresAt" INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO "new_Nonce" SELECT "hash", "expiresAt" FROM "Nonce" ORDER BY random();
DROP TABLE "Nonce";
ALTER TABLE "new_Nonce" RENAME TO "Nonce";
CREATE INDEX "Nonce_expiresAt_idx" ON "Nonce"("expiresAt");

CREATE TABLE "new_RateWindow" (
    "bucket" TEXT NOT NULL PRIMARY KEY,
    "count" INTEGER NOT NULL,
    "expiresAt" INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO "new_RateWindow" SELECT "bucket", "count", "expiresAt" FROM "RateWindow" ORDER BY random();
DROP TABLE "RateWindow";
ALTER TABLE "new_RateWindow" RENAME TO "RateWindow";
CREATE INDEX "RateWindow_expiresAt_idx" ON "RateWindow"("expiresAt");

PRAGMA defer_foreign_keys=OFF;
