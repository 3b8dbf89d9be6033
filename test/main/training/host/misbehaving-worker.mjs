// A stand-in training process that misbehaves the way real ones can (FAKE_WORKER picks how):
// stuck: never answers a cancel (a long kernel); nonsense: sends an invalid message; fails: reports an error.
const mode = process.env.FAKE_WORKER;
process.on('message', (message) => {
  if (message.type === 'cancel') return;
  if (mode === 'nonsense') process.send({ type: 'progress', done: 'many' });
  if (mode === 'fails') {
    process.send({ type: 'error', message: 'out of patience' });
    setTimeout(() => process.exit(1), 20);
  }
});
setInterval(() => {}, 1000);
process.send({ type: 'ready', pid: process.pid });
