-- The publisher's featured series for the home page (issue 19).
-- CreateTable
CREATE TABLE "FeaturedSeries" (
    "slot" TEXT NOT NULL PRIMARY KEY,
    "series" TEXT NOT NULL
);
