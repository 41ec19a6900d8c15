-- CreateTable
CREATE TABLE "Publication" (
    "logIndex" INTEGER NOT NULL,
    "hash" TEXT NOT NULL,
    "manifest" TEXT NOT NULL,

    CONSTRAINT "Publication_pkey" PRIMARY KEY ("logIndex")
);

-- CreateTable
CREATE TABLE "DataVersion" (
    "year" INTEGER NOT NULL,
    "version" INTEGER NOT NULL,
    "since" TEXT,
    "digest" TEXT NOT NULL,
    "reports" BYTEA NOT NULL,
    "representatives" BYTEA NOT NULL,

    CONSTRAINT "DataVersion_pkey" PRIMARY KEY ("year","version")
);

-- CreateIndex
CREATE UNIQUE INDEX "Publication_hash_key" ON "Publication"("hash");
