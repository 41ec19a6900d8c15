// The baseline for `npm run bench:intake`: a bare express app with one JSON route that parses the
// body and answers 201 — what any express JSON API costs before doing any work.
import express from 'express';

const app = express();
app.use(express.json({ limit: '128kb' }));
app.put('/api/v1/reports/:id', (req, res) => {
  res.status(201).json({ reportId: req.params.id, ok: typeof req.body === 'object' });
});
const server = app.listen(0, '127.0.0.1', () => {
  const a = server.address();
  console.log(JSON.stringify({ url: `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`, msg: 'contamos listening' }));
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
