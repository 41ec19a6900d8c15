-- CreateTable
CREATE TABLE "SeriesBudget" (
    "series" TEXT NOT NULL PRIMARY KEY,
    "unit" TEXT NOT NULL,
    "total" TEXT NOT NULL,
    "spent" TEXT NOT NULL
);
