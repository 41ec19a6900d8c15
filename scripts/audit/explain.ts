// explain.ts — `--explain`: what each check means and why it matters, in plain words for a
// journalist or a funder who is not a programmer (Spanish by default, English with --lang en).
//
// Guarantees: one text per check, in both languages, and a closing note on what an audit from
// public material can and cannot show. No technical vocabulary without an explanation.
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
      title: '1. Autenticidad (firmas y cadena)',
      body:
        'Cada publicación lleva una firma digital de quien publica: como una firma notarial que cualquiera puede comprobar con la clave pública ' +
        'que el servidor anuncia. Si alguien cambia una sola cifra, la firma deja de valer. Además, cada publicación de una serie (por ejemplo, ' +
        'el conteo anual) cita a la anterior por su «huella» (hash). Así no se puede borrar, reordenar ni reemplazar a escondidas una publicación ' +
        'pasada, ni mostrar versiones distintas a personas distintas: faltaría un número, o dos publicaciones tendrían el mismo número.',
    },
    {
      title: '2. Umbral k',
      body:
        'Una cifra muy pequeña puede señalar a una persona: «1 mujer trans venezolana asesinada en Puno en 2023» basta para reconocerla. ' +
        'Por eso ninguna cifra entre 1 y k−1 (con k = 5, entre 1 y 4) se publica: se reemplaza por «suprimida». El cero sí se publica: ' +
        'decir que no pasó nada no expone a nadie.',
    },
    {
      title: '3. Celdas suprimidas que no se pueden recalcular',
      body:
        'Esconder una cifra no basta si se puede deducir restando: si el total de una fila es 12 y se ven todas las celdas menos una, ' +
        'la que falta se calcula. La auditoría hace lo que haría alguien con malas intenciones: con todas las sumas y totales publicados, ' +
        'calcula el valor mínimo y máximo posible de cada celda suprimida (programación lineal). Falla si alguna queda determinada ' +
        '(mínimo = máximo) o si solo puede ser pequeña (máximo menor que k); avisa si el margen es menor que el nivel de protección.',
    },
    {
      title: '4. Diferencias entre publicaciones',
      body:
        'Si en marzo una cifra publicada es 20 y en junio 21, la diferencia (1) delata un caso nuevo, aunque ninguna de las dos cifras sea pequeña. ' +
        'La auditoría compara cada publicación con la anterior de su serie: toda cifra publicada en ambas debe quedar igual o cambiar en k o más.',
    },
    {
      title: '4b. Publicaciones con privacidad diferencial',
      body:
        'Algunas series no ocultan cifras: a todas les suman un ruido aleatorio calculado para que ninguna persona concreta cambie mucho el resultado. ' +
        'La auditoría comprueba que las cifras sean enteros no negativos que suman sus totales, que el tamaño del ruido corresponde al presupuesto anunciado, ' +
        'y que el registro del presupuesto de la serie no se pasa del total ni retrocede: cada publicación gasta presupuesto, y gastar de más debilita la protección.',
    },
    {
      title: '5. Inclusión de un reporte',
      body:
        'Cada organización recibe, al enviar un reporte, un recibo firmado por el servidor. Cada publicación resume todos los reportes contados ' +
        'en una sola huella (raíz de un árbol de Merkle) que va firmada. Con el recibo y una prueba corta, la organización comprueba que su reporte ' +
        'se contó, sin que nadie más vea qué reportes hay: si el servidor lo hubiera omitido, la prueba no cuadraría con la huella firmada.',
    },
    {
      title: '6. Inventario de datos',
      body:
        'Con acceso de solo lectura a la base de datos (y a los registros del servidor), la auditoría revisa cada tabla, columna y valor buscando ' +
        'lo que nunca se debe guardar: direcciones IP, correos, teléfonos, identificadores de navegador («user agent») o relatos sin cifrar. ' +
        'Los relatos deben estar cifrados para la persona de confianza de la coalición, y se ven como texto ilegible. La auditoría dice dónde ' +
        'encontró algo, pero nunca lo muestra. Al final lista todo lo que se guarda: tablas, columnas y número de filas.',
    },
  ],
  limits:
    'Lo que la auditoría no puede probar: que los reportes sean verdaderos, que las cifras incluyan todos los casos (nadie los cuenta todos), ' +
    'ni qué celdas suprimidas son pequeñas en realidad (eso solo lo sabe el servidor); comprueba lo que se puede comprobar desde fuera.',
};

const EN: typeof ES = {
  intro:
    'Contamos publishes counts of violence against sex workers in Peru without putting anyone at risk. ' +
    'Anyone can run this audit with the published material alone; it does not require trusting the server or whoever runs it.',
  sections: [
    {
      title: '1. Authenticity (signatures and chain)',
      body:
        "Every release carries the publisher's digital signature: like a notary's seal that anyone can check with the public key the server " +
        'announces. Changing a single number breaks the signature. Each release of a series (say, the yearly count) also quotes the previous ' +
        'one by its "fingerprint" (hash), so a past release cannot be quietly deleted, reordered or replaced, nor can different people be shown ' +
        'different versions: a number would be missing, or two releases would share a number.',
    },
    {
      title: '2. Threshold k',
      body:
        'A very small count can point at one person: "1 Venezuelan trans woman killed in Puno in 2023" is enough to recognise her. ' +
        'So no count between 1 and k−1 (with k = 5, between 1 and 4) is published: it is shown as "suppressed". Zero is published: ' +
        'saying that nothing happened exposes nobody.',
    },
    {
      title: '3. Suppressed cells that cannot be recomputed',
      body:
        'Hiding a number is not enough if it can be worked out by subtraction: if a row totals 12 and every cell but one is shown, the missing one ' +
        'follows. The audit does what an ill-intentioned reader would: using every published sum and total, it computes the smallest and largest ' +
        'possible value of each suppressed cell (linear programming). It fails if a cell is pinned down (smallest = largest) or can only be small ' +
        '(largest below k), and warns when the range is narrower than the protection level.',
    },
    {
      title: '4. Differences between releases',
      body:
        'If a published count is 20 in March and 21 in June, the difference (1) gives away a new case even though neither count is small. ' +
        'The audit compares every release with the previous one of its series: any count published in both must stay the same or change by k or more.',
    },
    {
      title: '4b. Differentially private releases',
      body:
        'Some series hide no figure: random noise, sized so that no single person changes the result much, is added to every figure. ' +
        'The audit checks that the figures are non-negative integers that add up to their totals, that the noise matches the announced budget, ' +
        "and that the series' budget ledger never exceeds its total nor goes backwards: every release spends budget, and overspending weakens the protection.",
    },
    {
      title: '5. Inclusion of a report',
      body:
        'When an organisation sends a report it gets a receipt signed by the server. Each release sums up all the reports it counted in a single ' +
        'signed fingerprint (the root of a Merkle tree). With the receipt and a short proof, the organisation checks that its report was counted, ' +
        'without anyone else learning which reports exist: had the server left it out, the proof would not match the signed fingerprint.',
    },
    {
      title: '6. Data inventory',
      body:
        'With read-only access to the database (and the server logs), the audit goes through every table, column and value looking for what must ' +
        'never be kept: IP addresses, e-mails, phone numbers, browser identifiers ("user agents") or unencrypted accounts of what happened. ' +
        "Accounts must be encrypted for the coalition's trusted person, and look like unreadable text. The audit says where it found something " +
        'but never shows it. Finally it lists everything that is kept: tables, columns and number of rows.',
    },
  ],
  limits:
    'What the audit cannot prove: that reports are true, that the counts include every case (nobody counts them all), or which suppressed cells ' +
    'are really small (only the server knows); it checks what can be checked from the outside.',
};

export function explanation(lang: Lang): string {
  const t = lang === 'es' ? ES : EN;
  const wrap = (text: string) => text.replace(/(.{1,96})(\s+|$)/g, '   $1\n').trimEnd();
  return [t.intro, '', ...t.sections.flatMap((sec) => [sec.title, wrap(sec.body), '']), t.limits, ''].join('\n');
}
