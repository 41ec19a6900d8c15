// feature.ts — `contamos feature --series NAME`: the publisher chooses which series the public
// home page features (its newest release is the headline). `contamos feature` alone shows the
// current choice.
//
// Guarantees: publisher-signed; the series name is checked locally before anything is sent; the
// server refuses a series with no signed release (nothing changes); a release of another series
// never moves the headline afterwards.
import { str } from '../args.js';
import type { Command } from '../command.js';
import { EXIT_OK, println, usageError } from '../io.js';
import { loadSigningKey } from '../keyfile.js';
import { seriesName } from '../../../server/schemas/manifest.js';
import type { FeaturedResponse } from '../../../server/schemas/release.js';

type Featured = FeaturedResponse;

export const featureCommand: Command = {
  name: 'feature',
  summary: 'elegir la serie destacada en la portada (publicador) / choose the home page series (publisher)',
  help: `Uso / Usage: contamos feature --key publisher.key.json --series NAME
             contamos feature                      (muestra la elección / shows the choice)

  La portada pública muestra la publicación más reciente de la serie destacada. Una publicación
  de otra serie (una prueba, una serie puntual) no la reemplaza. Hasta que se elige, se destaca la
  primera serie publicada.
  The public home page shows the newest release of the featured series. A release of another
  series (a test, a one-off) does not replace it. Until one is chosen, the first series ever
  published is featured.

  --series NAME   serie a destacar (debe tener al menos una publicación firmada) /
                  series to feature (it must have at least one signed release)`,
  options: { series: { type: 'string' } },
  async run({ io, values, global, client }) {
    const series = str(values, 'series');
    const c = client();
    if (series === undefined) {
      const now = await c.request<Featured>('GET', '/api/v1/featured');
      const f = now.body;
      println(
        io.stdout,
        f.series === null
          ? 'Todavía no hay publicaciones / No releases yet'
          : `Serie destacada / Featured series: ${f.series}${f.chosen ? '' : ' (por defecto: la primera publicada / default: the first published)'}; portada / home page: ${f.release}`,
      );
      return EXIT_OK;
    }
    if (!seriesName.safeParse(series).success) {
      throw usageError(
        `"${series}" no es un nombre de serie (minúsculas, cifras y guiones)`,
        `"${series}" is not a series name (lowercase letters, digits and dashes)`,
      );
    }
    const { signer } = await loadSigningKey(io, global.keyFile, { role: 'publisher', command: 'feature' });
    const res = await c.request<Featured>('PUT', '/api/v1/featured', { body: { series }, signer });
    println(io.stdout, `Serie destacada / Featured series: ${res.body.series}`);
    println(io.stdout, `  La portada muestra / The home page shows: ${res.body.release}`);
    return EXIT_OK;
  },
};
