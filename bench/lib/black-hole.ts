// Receivers that never answer, for the noisy-neighbour benchmark, run as their own process: N TCP listeners on
// 127.0.0.1 that accept every connection, read what arrives and never write a byte (the sender times out).
//   bun bench/lib/black-hole.ts 10   → prints {"ports": [p1, …, p10]} on stdout, then holds until killed
export {};

const listeners = Number(process.argv[2] ?? 1);
let held = 0;
const ports: number[] = [];
for (let i = 0; i < listeners; i++) {
  const listener = Bun.listen({
    hostname: "127.0.0.1",
    port: 0,
    socket: {
      open() {
        held++;
      },
      data() {},
      close() {
        held--;
      },
      error() {},
    },
  });
  ports.push(listener.port);
}
process.stdout.write(`${JSON.stringify({ ports })}\n`);
// Reports how many connections are held, on stderr, every 10 s (visible in the benchmark's log).
setInterval(() => process.stderr.write(`[black-hole] ${held} connections held\n`), 10_000);
