import { track } from 'reftrace';

class Conn { close() { console.log('closed'); } }
const conn = track(new Conn(), { onZero: (c) => c.close() });

function handler() {
  const ref = conn.acquire('handler');
  ref.release();
  ref.release(); // reported here, with the first release and the acquire
}

handler();
conn.release();
