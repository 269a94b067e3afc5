import net from 'node:net';

/**
 * A TCP proxy between the platform and PostgreSQL that breaks one connection at a chosen moment of
 * the wire protocol: the network failing, which is outside the system, so a double is fair here.
 * Nothing else is touched: every other connection, and this one until the moment, pass unchanged.
 */
export interface PgFaultProxy {
  /** `databaseUrl` with the proxy in front. */
  url: string;
  /**
   * The next client write carrying every one of `needles` (SQL text and bound values travel
   * together) is never delivered: the connection is cut first, so PostgreSQL rolls its
   * transaction back — a process dying just before it sent the statement.
   */
  cutBefore(needles: string[]): Promise<void>;
  /**
   * On the next connection that sends `needle`, the next COMMIT is carried out by PostgreSQL and
   * its acknowledgement is dropped with the connection: the commit is durable, the client never
   * learns it.
   */
  loseCommitAck(needle: string): Promise<void>;
  close(): Promise<void>;
}

interface Fault {
  happened: () => void;
}

/** How much of the previous chunk a needle is also looked for in: more than the longest needle. */
const CARRY_BYTES = 256;

/** CommandComplete ('C') frames carry the command tag; a COMMIT's is `COMMIT`. */
const COMMAND_COMPLETE = 0x43;

export async function startPgFaultProxy(databaseUrl: string): Promise<PgFaultProxy> {
  const target = new URL(databaseUrl);
  let nextCut: (Fault & { needles: string[] }) | undefined;
  let nextLostAck: (Fault & { needle: string }) | undefined;
  const sockets = new Set<net.Socket>();

  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port || 5432), target.hostname);
    sockets.add(client).add(upstream);
    const cut = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('close', () => {
      upstream.destroy();
      sockets.delete(client);
    });
    upstream.on('close', () => {
      client.destroy();
      sockets.delete(upstream);
    });
    client.on('error', cut);
    upstream.on('error', cut);

    let ackWatch: Fault | undefined;
    let pending = Buffer.alloc(0);
    // What the client sent lately: a statement can reach the proxy in two chunks on a loaded
    // machine, and a needle split between them must still be found.
    let carried = '';
    client.on('data', (chunk: Buffer) => {
      const text = chunk.toString('latin1');
      const recent = carried + text;
      carried = text.slice(-CARRY_BYTES);
      if (nextCut !== undefined && nextCut.needles.every((needle) => recent.includes(needle))) {
        const fault = nextCut;
        nextCut = undefined;
        cut();
        fault.happened();
        return;
      }
      // pg sends a query only after the previous answer ended, so server frames start afresh here.
      if (nextLostAck !== undefined && recent.includes(nextLostAck.needle)) {
        ackWatch = nextLostAck;
        nextLostAck = undefined;
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (ackWatch === undefined) {
        client.write(chunk);
        return;
      }
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 5) {
        const length = pending.readUInt32BE(1);
        if (pending.length < 1 + length) break;
        const frame = pending.subarray(0, 1 + length);
        pending = pending.subarray(1 + length);
        if (frame[0] === COMMAND_COMPLETE && frame.subarray(5).toString('latin1').startsWith('COMMIT')) {
          const fault = ackWatch;
          ackWatch = undefined;
          cut();
          fault.happened();
          return;
        }
        client.write(frame);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  const url = new URL(databaseUrl);
  url.hostname = '127.0.0.1';
  url.port = String(port);

  return {
    url: url.toString(),
    cutBefore: (needles) => new Promise((happened) => (nextCut = { needles, happened })),
    loseCommitAck: (needle) => new Promise((happened) => (nextLostAck = { needle, happened })),
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
