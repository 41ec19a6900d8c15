-- AlterTable
ALTER TABLE "Member" ADD COLUMN     "quarantined" BOOLEAN NOT NULL DEFAULT false;

-- CreateTable
CREATE TABLE "DedupeChoice" (
    "tag" TEXT NOT NULL,
    "reportId" TEXT NOT NULL,

    CONSTRAINT "DedupeChoice_pkey" PRIMARY KEY ("tag")
);

-- CreateTable
CREATE TABLE "ServerSecret" (
    "name" TEXT NOT NULL,
    "value" TEXT NOT NULL,

    CONSTRAINT "ServerSecret_pkey" PRIMARY KEY ("name")
);
