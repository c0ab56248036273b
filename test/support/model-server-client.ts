// The page's side of test/support/model-server.ts: a fresh token per test
// (its own request log and faults), URLs of synthetic models, and the
// request counts the server saw.

export type TestServer = {
  /** Manifest URL of a synthetic model: tokenizer + graph 'weights' in `shards` shards of `shardBytes`. */
  syn(seed: number, shards: number, shardBytes: number): string;
  /** Manifest URL of a real ONNX model of about `mib` MiB of weights. */
  onnx(seed: number, mib: number, layout: 'inline' | 'external', shardMiB: number): string;
  /** Manifest URL of the built-in model, served with its requests counted. */
  tiny(): string;
  /** Manifest URL of a model naming `shards` shards of 128 MiB that are never served. */
  huge(shards: number): string;
  /** Requests per path (relative to the token), e.g. 'syn/1/6/1024/weights.bin.part2'. */
  requests(): Promise<Record<string, number>>;
  /** Body bytes the server has sent of this token's model files (manifests not counted). */
  traffic(): Promise<{ bytes: number }>;
  control(query: string): Promise<void>;
};

export function testServer(): TestServer {
  const base = `/__lantern-test/${crypto.randomUUID()}/`;
  return {
    syn: (seed, shards, shardBytes) => new URL(`${base}syn/${seed}/${shards}/${shardBytes}/model.json`, location.href).href,
    onnx: (seed, mib, layout, shardMiB) => new URL(`${base}onnx/${seed}/${mib}/${layout}/${shardMiB}/model.json`, location.href).href,
    tiny: () => new URL(`${base}tiny/model.json`, location.href).href,
    huge: (shards) => new URL(`${base}huge/${shards}/model.json`, location.href).href,
    async requests() {
      return (await fetch(`${base}requests`)).json() as Promise<Record<string, number>>;
    },
    async traffic() {
      return (await fetch(`${base}traffic`)).json() as Promise<{ bytes: number }>;
    },
    async control(query) {
      const response = await fetch(`${base}control?${query}`);
      if (!response.ok) throw new Error(`control ${query}: HTTP ${response.status}`);
    },
  };
}

/** The name a synthetic shard is served under: the one file, or `<file>.part<i>`. */
export function shardPath(manifestUrl: string, file: string, shard: number | null): string {
  const dir = new URL('.', manifestUrl).pathname.replace(/^\/__lantern-test\/[^/]+\//, '');
  return `${dir}${file}${shard === null ? '' : `.part${shard}`}`;
}
