// Marker values that stand for a client's identity: if any of them is ever found in the database
// or the logs, the server kept something it must never keep.
export const MARKERS = {
  v4: '203.0.113.77',
  v4b: '198.51.100.23',
  v6: '2001:db8::beef:77',
  ua: 'CanaryAgent/7.7 (marker-ua-5e1f)',
  referer: 'https://referer-canary.example/lista-de-victimas',
  cookie: 'canary-cookie-91c2',
};

export const markerHeaders: Record<string, string> = {
  'X-Forwarded-For': `${MARKERS.v4}, ${MARKERS.v4b}`,
  'X-Real-IP': MARKERS.v4,
  Forwarded: `for=${MARKERS.v4};proto=https, for="[${MARKERS.v6}]"`,
  'CF-Connecting-IP': MARKERS.v4b,
  'True-Client-IP': MARKERS.v6,
  'Client-IP': MARKERS.v4,
  'X-Client-IP': MARKERS.v4b,
  'X-Cluster-Client-IP': MARKERS.v4,
  'Fastly-Client-IP': MARKERS.v4,
  'User-Agent': MARKERS.ua,
  Referer: MARKERS.referer,
  Cookie: `session=${MARKERS.cookie}`,
};

/** Markers of what clients send. */
export const markerValues = [...Object.values(MARKERS), 'marker-ua', 'referer-canary'];

/** Everything that must never appear in storage or logs of an in-process server (requests come from loopback). */
export const forbidden = [...markerValues, '127.0.0.1', '::ffff:127.0.0.1'];
