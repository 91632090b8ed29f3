/**
 * Tracks the scoring port's connections and whether each has a request in progress, so that
 * shutdown can finish every request already received and then close keep-alive sockets without
 * cutting one whose next request is already on the wire (issue 9 C). Node's own
 * `server.close()` calls `closeIdleConnections()` at once (Node >= 19): under load an "idle"
 * socket often has its next request in the kernel buffer, unread, and destroying it resets
 * that request.
 */
import type * as http from 'node:http';
import type { Socket } from 'node:net';

interface ConnectionState {
  /** Requests received on it and not yet answered (pipelining makes this > 1 possible). */
  active: number;
  /** performance.now() when it last became idle (or connected). */
  idleSince: number;
}

export class ConnectionTracker {
  private readonly sockets = new Map<Socket, ConnectionState>();
  private activeRequests = 0;

  constructor(server: http.Server) {
    server.on('connection', (socket: Socket) => {
      this.sockets.set(socket, { active: 0, idleSince: performance.now() });
      socket.once('close', () => {
        const s = this.sockets.get(socket);
        if (s) this.activeRequests -= s.active;
        this.sockets.delete(socket);
      });
    });
    server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
      const s = this.sockets.get(req.socket);
      if (!s) return;
      s.active += 1;
      this.activeRequests += 1;
      res.once('close', () => {
        if (this.sockets.get(req.socket) !== s) return; // socket already gone and counted
        s.active -= 1;
        this.activeRequests -= 1;
        if (s.active === 0) s.idleSince = performance.now();
      });
    });
  }

  /** Open connections. */
  get size(): number {
    return this.sockets.size;
  }

  /** Requests received and not yet answered. */
  get inFlight(): number {
    return this.activeRequests;
  }

  /**
   * Ends (FIN, not RST) every connection that has had no request for at least `minIdleMs`.
   * A request that crosses the FIN on the wire still fails: that race is inherent to HTTP/1.1
   * keep-alive, so the drain does this as late as its budget allows. Returns how many were ended.
   */
  endIdle(minIdleMs: number): number {
    const now = performance.now();
    let ended = 0;
    for (const [socket, s] of this.sockets) {
      if (s.active === 0 && now - s.idleSince >= minIdleMs && !socket.writableEnded) {
        // FIN only: a peer that never closes its side is cut when the drain budget ends.
        socket.end();
        ended += 1;
      }
    }
    return ended;
  }

  /** Destroys every connection (the drain budget ran out). */
  destroyAll(): void {
    for (const socket of this.sockets.keys()) socket.destroy();
  }
}
