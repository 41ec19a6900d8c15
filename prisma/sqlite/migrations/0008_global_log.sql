-- CreateTable
CREATE TABLE "Publication" (
    "logIndex" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "hash" TEXT NOT NULL,
    "manifest" TEXT NOT NULL
);

-- CreateTable
CREATE TABLE "DataVersion" (
    "year" INTEGER NOT NULL,
    "version" INTEGER NOT NULL,
    "since" TEXT,
    "digest" TEXT NOT NULL,
    "reports" BLOB NOT NULL,
    "representatives" BLOB NOT NULL,

    PRIMARY KEY ("year", "version")
);

-- CreateIndex
CREATE UNIQUE INDEX "Publication_hash_key" ON "Publication"("hash");
