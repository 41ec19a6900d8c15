// explain.ts — `--explain`: the attacker model and each check, in plain words for a journalist or a
// funder who is not a programmer (Spanish by default, English with --lang en).
//
// Guarantees: one text per check of docs/release-format.md ("Guarantees a valid log keeps"), in
// both languages, with the global model — everything ever shown, all series at once — explained
// first, and a closing note on what an audit from public material can and cannot show. No
// technical word without its explanation next to it.
import type { Lang } from './messages.js';

interface Section {
  title: string;
  body: string;
}

const ES: { intro: string; sections: Section[]; limits: string } = {
  intro:
    'Contamos publica cifras de violencia contra trabajadoras sexuales en el Perú sin poner en peligro a nadie. ' +
    'Esta auditoría la puede hacer cualquier persona con lo que se publica; no necesita confiar en el servidor ni en quien lo administra.',
  sections: [
    {
      title: 'Lo que supone la auditoría: alguien que lo junta todo',
      body:
        'La auditoría se pone en el lugar de la persona más informada que podría querer identificar a alguien. Esa persona tiene TODO lo que el ' +
        'servidor mostró alguna vez: todas las publicaciones de todas las series (por ejemplo, la anual y la acumulada de varios años), y también ' +
        'los borradores que quien publica vio antes de firmar, porque quien vio algo ya lo sabe. Lo guarda todo el «registro de publicaciones», ' +
        'numerado en orden. Esa persona sabe cómo están hechas las tablas (qué total es la suma de qué cifras), sabe que las cifras son números ' +
        'enteros no negativos, y sabe que cuando los datos de un año pasan de una «versión» a la siguiente marcada «solo altas», solo se sumaron ' +
        'casos. Con todo eso junto plantea un gran sistema de sumas, con una incógnita por cada cifra de cada año en cada versión de los datos, ' +
        'y calcula para cada cifra oculta su valor mínimo y máximo posibles (programación lineal, PL). Es el cálculo que hace la auditoría, ' +
        'con su propio programa, escrito solo a partir del documento público del formato, sin usar el código del servidor.',
    },
    {
      title: '1. Firmas',
      body:
        'Cada publicación firmada lleva una firma digital de quien publica, que cualquiera comprueba con la clave pública: si alguien cambia una ' +
        'sola cifra, la firma deja de valer. Con --publisher-key se indica cuál es la clave esperada, y entonces no se confía en la que anuncia el ' +
        'servidor (un servidor que cambiara su clave no podría aprobar sus propias publicaciones). Además, cada publicación firmada debe ser, ' +
        'byte a byte, la entrada del registro que dice ser.',
    },
    {
      title: '2. Cadenas: el registro y las series',
      body:
        'Cada entrada del registro cita a la anterior por su «huella» (hash: un resumen que cambia si cambia cualquier detalle). Así no se puede ' +
        'borrar, reordenar ni reemplazar a escondidas una entrada pasada, ni mostrar versiones distintas a personas distintas: faltaría un número ' +
        'o no cuadraría una huella. Dentro de cada serie, las publicaciones firmadas van numeradas 1, 2, 3… y cada una cita a la anterior.',
    },
    {
      title: '3. Versiones de los datos, y reglas fijas por serie',
      body:
        'Los incidentes de un año cambian con el tiempo: llegan reportes tardíos, alguien retira o corrige uno. Cada estado distinto de los datos ' +
        'de un año es una «versión» (v1, v2…), y cada entrada dice qué versión de cada año cuenta y si la versión solo sumó casos («solo altas») o ' +
        'también quitó o corrigió («cambios»). La auditoría comprueba que las versiones no salten números y que digan lo mismo en todas partes. ' +
        'También comprueba que cada serie mantenga su umbral k, su protección p y su método desde su primera publicación, incluidos los borradores, ' +
        'y que ningún k sea menor que el mínimo (5 por defecto).',
    },
    {
      title: '4. Umbral k',
      body:
        'Una cifra muy pequeña puede señalar a una persona: «1 mujer trans venezolana asesinada en Puno en 2023» basta para reconocerla. ' +
        'Por eso ninguna cifra entre 1 y k−1 (con k = 5, entre 1 y 4) se publica: se oculta («suprimida»). El cero sí se publica: ' +
        'decir que no pasó nada no expone a nadie.',
    },
    {
      title: '5. Lo oculto sigue oculto, juntando todo',
      body:
        'Ocultar una cifra no basta si se puede deducir restando: si el total de una fila es 12 y se ven todas las celdas menos una, la que falta se ' +
        'calcula. Y no basta con mirar cada publicación por separado: una serie puede ocultar Cajamarca y Loreto dejando 9 para las dos, y otra ' +
        'serie publicar Loreto = 5; juntas dicen Cajamarca = 4. Con el sistema completo, la auditoría calcula para cada cifra oculta el mínimo y el ' +
        'máximo que se pueden deducir (su «rango»). Falla si una celda oculta solo puede ser menor que k, si se sabe que una cifra que nadie publicó ' +
        'está entre 1 y k−1, o si una celda estaba ya determinada (mínimo = máximo) cuando se ocultó. Avisa si el rango de una celda oculta que podría ' +
        'ser pequeña es más estrecho que la protección p. Cada veredicto está demostrado: para aprobar, muestra un conjunto de cifras posible en el ' +
        'que la cifra vale 0 o al menos k; para fallar, una cota que lo impide.',
    },
    {
      title: '6. Cambios entre versiones',
      body:
        'Si una cifra publicada es 20 en marzo y 22 en junio, la diferencia (2) delata dos casos nuevos, aunque ninguna de las dos cifras sea ' +
        'pequeña. Lo mismo si la diferencia se deduce sin verse: una cifra oculta cuyo total se conoce por otra serie, o un año cuyo cambio se ' +
        'despeja de los totales de varios años. La auditoría calcula el rango de cada cambio, de cada combinación de categorías, entre cada dos ' +
        'versiones de los datos que aparecen en el registro, y falla si se sabe que entraron o salieron entre 1 y k−1 casos.',
    },
    {
      title: '7. Privacidad diferencial: un solo presupuesto',
      body:
        'Algunas series no ocultan cifras: a todas les suman un ruido aleatorio calculado para que ninguna persona concreta cambie mucho el resultado. ' +
        'Cada publicación así gasta «presupuesto de privacidad», y el presupuesto es uno solo para todo el servidor: abrir una serie nueva no da ' +
        'presupuesto nuevo. La auditoría suma el gasto de todas las entradas en orden (los borradores también gastan) y falla si se pasa del total, ' +
        'si las cifras no son enteros no negativos que suman sus totales, o si el ruido no corresponde al gasto anunciado. Las cifras que se publican ' +
        'exactas (como el total general) entran en el sistema del punto 5.',
    },
    {
      title: '8. Inclusión de un reporte',
      body:
        'Cada organización recibe, al enviar un reporte, un recibo firmado por el servidor. Cada publicación resume todos los reportes contados ' +
        'en una sola huella (la raíz de un árbol de Merkle «disperso», que no revela cuántos reportes hay). Con el recibo y una prueba corta, ' +
        'la organización comprueba que su reporte se contó, sin que nadie más vea qué reportes hay: si el servidor lo hubiera omitido, la prueba ' +
        'no cuadraría con la huella firmada.',
    },
    {
      title: 'Inventario de datos',
      body:
        'Con acceso de solo lectura a la base de datos (y a los registros del servidor), la auditoría revisa cada tabla, columna y valor buscando ' +
        'lo que nunca se debe guardar: direcciones IP, correos, teléfonos, identificadores de navegador («user agent») o relatos sin cifrar. ' +
        'Dice dónde encontró algo, pero nunca lo muestra, y al final lista todo lo que se guarda.',
    },
  ],
  limits:
    'Lo que la auditoría no puede probar desde fuera, y por eso lo comprueban las pruebas del servidor: que las cifras ocultas sean de verdad ' +
    'pequeñas (la auditoría ve rangos, no valores), y que lo que reportó una sola organización miembro no quede expuesto ante esa misma ' +
    'organización (conoce sus propios reportes; las aportaciones de cada una nunca se publican). Tampoco puede probar que los reportes sean ' +
    'verdaderos ni que las cifras incluyan todos los casos.',
};

const EN: typeof ES = {
  intro:
    'Contamos publishes counts of violence against sex workers in Peru without putting anyone at risk. ' +
    'Anyone can run this audit with the published material alone; it does not require trusting the server or whoever runs it.',
  sections: [
    {
      title: 'What the audit assumes: someone who puts everything together',
      body:
        'The audit takes the place of the best-informed person who might want to identify someone. That person holds EVERYTHING the server ever ' +
        'showed: every release of every series (say, the yearly one and the multi-year one), and also the drafts the publisher saw before signing, ' +
        'because whoever saw something knows it. All of it is kept in the numbered "publication log". That person knows how the tables are built ' +
        '(which total is the sum of which counts), that counts are non-negative whole numbers, and that when a year\'s data moves from one "version" ' +
        'to the next one marked "additions", cases were only added. Putting it all together gives one large system of sums, with one unknown per ' +
        'count of each year at each data version, and for every hidden count its smallest and largest possible value (linear programming, LP). ' +
        "That is what the audit computes, with its own program, written from the public format document alone, without the server's code.",
    },
    {
      title: '1. Signatures',
      body:
        "Every signed release carries the publisher's digital signature, which anyone can check with the public key: change a single count and " +
        'the signature no longer holds. With --publisher-key you say which key to expect, and then the key the server announces is not trusted (a ' +
        'server that swapped its key could not make its own releases pass). Every signed release must also be, byte for byte, the log entry it ' +
        'claims to be.',
    },
    {
      title: '2. Chains: the log and the series',
      body:
        'Every log entry cites the previous one by its "fingerprint" (hash: a digest that changes if any detail changes). So no past entry can be ' +
        'deleted, reordered or quietly replaced, nor different versions shown to different people: a number would be missing or a fingerprint ' +
        'would not match. Within each series, signed releases are numbered 1, 2, 3… and each cites the previous one.',
    },
    {
      title: '3. Data versions, and rules fixed per series',
      body:
        "A year's incidents change over time: late reports arrive, someone withdraws or corrects one. Each distinct state of a year's data is a " +
        '"version" (v1, v2…), and every entry says which version of each year it counts and whether that version only added cases ("additions") ' +
        'or also removed or corrected some ("changes"). The audit checks that versions skip no number and say the same everywhere. It also checks ' +
        'that every series keeps its threshold k, protection p and method from its first release on, drafts included, and that no k is below the ' +
        'minimum (5 by default).',
    },
    {
      title: '4. Threshold k',
      body:
        'A very small count can point at a person: "1 Venezuelan trans woman murdered in Puno in 2023" is enough to recognise her. ' +
        'So no count between 1 and k−1 (with k = 5, between 1 and 4) is published: it is hidden ("suppressed"). Zero is published: ' +
        'saying nothing happened exposes no one.',
    },
    {
      title: '5. What is hidden stays hidden, with everything together',
      body:
        'Hiding a count is not enough if it can be worked out by subtraction: if a row totals 12 and every cell but one is shown, the missing one ' +
        'follows. And looking at each release on its own is not enough either: one series may hide Cajamarca and Loreto leaving 9 for both, and ' +
        'another publish Loreto = 5; together they say Cajamarca = 4. With the whole system, the audit computes for every hidden count the ' +
        'smallest and largest value that can be deduced (its "range"). It fails if a hidden cell can only be below k, if a count nobody published is ' +
        'known to be between 1 and k−1, or if a cell was already pinned down (smallest = largest) when it was hidden. It warns when the range of a ' +
        'hidden cell that might be small is narrower than the protection p. Every verdict is proven: to pass, it shows a possible set of counts in ' +
        'which the count is 0 or at least k; to fail, a bound that rules that out.',
    },
    {
      title: '6. Changes between versions',
      body:
        'If a published count is 20 in March and 22 in June, the difference (2) gives away two new cases even though neither count is small. The ' +
        'same if the difference can be deduced without being shown: a hidden count whose total is known from another series, or a year whose change ' +
        'follows from multi-year totals. The audit computes the range of every change, of every combination of categories, between every two ' +
        'data versions in the log, and fails if it is known that between 1 and k−1 cases came in or went out.',
    },
    {
      title: '7. Differential privacy: one budget',
      body:
        'Some series hide no count: random noise, sized so that no single person changes the result much, is added to every count. Each such ' +
        'release spends "privacy budget", and there is ONE budget for the whole server: opening a new series gives no fresh budget. The audit adds ' +
        'up the spending of every entry in order (drafts spend too) and fails if it goes beyond the total, if the counts are not non-negative whole ' +
        'numbers adding up to their totals, or if the noise does not match the announced spending. Counts published exactly (such as the grand ' +
        'total) enter the system of point 5.',
    },
    {
      title: '8. Inclusion of a report',
      body:
        'When an organisation sends a report it gets a receipt signed by the server. Each release sums up all the reports it counted in a single ' +
        'fingerprint (the root of a "sparse" Merkle tree, which does not reveal how many reports there are). With the receipt and a short proof, ' +
        'the organisation checks that its report was counted, without anyone else learning which reports exist: had the server left it out, the ' +
        'proof would not match the signed fingerprint.',
    },
    {
      title: 'Data inventory',
      body:
        'With read-only access to the database (and the server logs), the audit goes through every table, column and value looking for what must ' +
        'never be kept: IP addresses, e-mails, phone numbers, browser identifiers ("user agents") or unencrypted accounts of what happened. ' +
        'It says where it found something but never shows it, and finally lists everything that is kept.',
    },
  ],
  limits:
    "What the audit cannot prove from the outside, and why the server's own tests check it: that the hidden counts really are small (the audit " +
    'sees ranges, not values), and that what a single member organisation reported is not exposed to that same organisation (it knows its own ' +
    "reports; each one's contributions are never published). Nor can it prove that reports are true or that the counts include every case.",
};

export function explanation(lang: Lang): string {
  const t = lang === 'es' ? ES : EN;
  const wrap = (text: string) => text.replace(/(.{1,96})(\s+|$)/g, '   $1\n').trimEnd();
  return [t.intro, '', ...t.sections.flatMap((sec) => [sec.title, wrap(sec.body), '']), t.limits, ''].join('\n');
}
