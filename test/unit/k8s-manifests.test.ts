// The deployment files agree with the code: the Kubernetes manifests parse, reference only environment
// variables src/config.ts reads, run real `domum` subcommands, probe paths the server answers, and their
// labels and selectors line up; the Secret template holds placeholders only; the Dockerfile installs
// production dependencies without lifecycle scripts and runs as a non-root user.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { runCli } from '../../src/cli.ts';
import { CONFIG_VARIABLE_NAMES, ConfigError, loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { healthRoutes } from '../../src/web/health-routes.ts';
import { startWebServer } from '../../src/web/web-server.ts';

const K8S_DIR = 'manifests/k8s';
const NAMESPACE = 'domum';

interface Labels {
  [key: string]: string;
}
interface Probe {
  httpGet?: { path: string; port: string | number };
  exec?: { command: string[] };
}
interface Container {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  env?: Array<{
    name: string;
    value?: string;
    valueFrom?: { configMapKeyRef?: { name: string; key: string }; secretKeyRef?: { name: string; key: string } };
  }>;
  envFrom?: Array<{ configMapRef?: { name: string }; secretRef?: { name: string } }>;
  ports?: Array<{ name?: string; containerPort: number }>;
  startupProbe?: Probe;
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: {
    allowPrivilegeEscalation?: boolean;
    readOnlyRootFilesystem?: boolean;
    runAsNonRoot?: boolean;
    runAsUser?: number;
    capabilities?: { drop?: string[] };
  };
}
interface PodSpec {
  containers: Container[];
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number };
  restartPolicy?: string;
}
interface PodTemplate {
  metadata: { labels: Labels };
  spec: PodSpec;
}
interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Labels };
  data?: Record<string, string>;
  stringData?: Record<string, string>;
  spec?: {
    replicas?: number;
    selector?: { matchLabels?: Labels } & Labels;
    template?: PodTemplate;
    ports?: Array<{ name: string; port: number; targetPort: string | number }>;
    rules?: Array<{
      host: string;
      http: { paths: Array<{ backend: { service: { name: string; port: { name?: string; number?: number } } } }> };
    }>;
    tls?: Array<{ hosts: string[] }>;
  };
}
interface Manifest {
  file: string;
  object: K8sObject;
}

function loadManifests(): Manifest[] {
  const files = readdirSync(K8S_DIR).filter((file) => /\.ya?ml$/.test(file) && file !== 'kustomization.yaml');
  return files.flatMap((file) => {
    const documents = parseAllDocuments(readFileSync(path.join(K8S_DIR, file), 'utf8'));
    return documents.map((document) => {
      expect(document.errors, `${file} parses`).toEqual([]);
      return { file, object: document.toJS() as K8sObject };
    });
  });
}

const manifests = loadManifests();
const ofKind = (kind: string) =>
  manifests.filter((manifest) => manifest.object.kind === kind).map((manifest) => manifest.object);
const named = (kind: string, name: string): K8sObject => {
  const found = ofKind(kind).find((object) => object.metadata.name === name);
  if (!found) throw new Error(`no ${kind} named ${name} in ${K8S_DIR}`);
  return found;
};
const workloads = [...ofKind('Deployment'), ...ofKind('Job')];
const podTemplate = (object: K8sObject): PodTemplate => {
  if (!object.spec?.template) throw new Error(`${object.kind} ${object.metadata.name} has no pod template`);
  return object.spec.template;
};
const containers = workloads.flatMap((object) =>
  podTemplate(object).spec.containers.map((container) => ({
    owner: `${object.kind} ${object.metadata.name}`,
    container,
  })),
);
const configMap = named('ConfigMap', 'domum-config');
const secretTemplate = named('Secret', 'domum-secrets');
const web = named('Deployment', 'domum-web');
const worker = named('Deployment', 'domum-worker');
const migrate = named('Job', 'domum-migrate');
const catalogLoad = named('Job', 'domum-catalog-load');
const service = named('Service', 'domum-web');

const matches = (selector: Labels, labels: Labels) =>
  Object.entries(selector).every(([key, value]) => labels[key] === value);

/** Values a real deployment would put in the Secret: valid in form, fake in substance. */
const exampleSecrets = {
  SLACK_BOT_TOKEN: 'xoxb-0000-0000-example',
  SLACK_SIGNING_SECRET: 'example-signing-secret',
  DATABASE_URL: 'postgres://domum:example@postgres.example.internal:5432/domum',
  SMTP_URL: 'smtp://domum:example@smtp.example.internal:587',
  SECRET_KEY: 'e'.repeat(64),
};

describe('the Kubernetes manifests', () => {
  it('are all parsed: the objects a deployment needs are there, all in one namespace', () => {
    const kinds = manifests.map((manifest) => `${manifest.object.kind}/${manifest.object.metadata.name}`).sort();
    expect(kinds).toEqual(
      expect.arrayContaining([
        'ConfigMap/domum-config',
        'Deployment/domum-web',
        'Deployment/domum-worker',
        'Job/domum-catalog-load',
        'Job/domum-migrate',
        'Namespace/domum',
        'PodDisruptionBudget/domum-web',
        'Secret/domum-secrets',
        'Service/domum-web',
      ]),
    );
    for (const { file, object } of manifests) {
      expect(object.apiVersion, file).toMatch(/^(v1|apps\/v1|batch\/v1|policy\/v1|networking\.k8s\.io\/v1)$/);
      if (object.kind !== 'Namespace')
        expect(object.metadata.namespace, `${file}: ${object.kind} ${object.metadata.name}`).toBe(NAMESPACE);
    }
  });

  it('kustomization.yaml lists existing files, and leaves out the Secret template and the one-off Jobs', () => {
    const kustomization = parse(readFileSync(path.join(K8S_DIR, 'kustomization.yaml'), 'utf8')) as {
      resources: string[];
    };
    for (const resource of kustomization.resources)
      expect(existsSync(path.join(K8S_DIR, resource)), resource).toBe(true);
    expect(kustomization.resources).toEqual(
      expect.arrayContaining(['web-deployment.yaml', 'worker-deployment.yaml', 'web-service.yaml', 'configmap.yaml']),
    );
    expect(kustomization.resources).not.toContain('secret.template.yaml');
    expect(kustomization.resources).not.toContain('migrate-job.yaml');
    expect(kustomization.resources).not.toContain('catalog-load-job.yaml');
  });

  it('reference only environment variables the configuration reads, from the ConfigMap and the Secret', () => {
    const known = new Set(CONFIG_VARIABLE_NAMES);
    expect(known.has('DATABASE_URL') && known.has('SECRET_KEY')).toBe(true);
    expect(known.has('NOT_A_DOMUM_VARIABLE')).toBe(false);
    for (const key of Object.keys(configMap.data ?? {})) expect(known, `ConfigMap key ${key}`).toContain(key);
    expect(secretTemplate.data, 'the template uses stringData only').toBeUndefined();
    for (const key of Object.keys(secretTemplate.stringData ?? {})) expect(known, `Secret key ${key}`).toContain(key);
    for (const { owner, container } of containers) {
      for (const variable of container.env ?? []) {
        expect(known, `${owner}: env ${variable.name}`).toContain(variable.name);
        const ref = variable.valueFrom?.configMapKeyRef ?? variable.valueFrom?.secretKeyRef;
        if (ref)
          expect(
            Object.keys((ref.name === configMap.metadata.name ? configMap.data : secretTemplate.stringData) ?? {}),
            `${owner}: ${variable.name}`,
          ).toContain(ref.key);
      }
      const sources = (container.envFrom ?? []).map((source) => source.configMapRef?.name ?? source.secretRef?.name);
      expect(sources, `${owner} takes its environment from the ConfigMap and the Secret`).toEqual([
        configMap.metadata.name,
        secretTemplate.metadata.name,
      ]);
    }
  });

  it('keep secrets out of the ConfigMap and out of the repository: the Secret template holds placeholders only', () => {
    const secretNames = [
      'SLACK_BOT_TOKEN',
      'SLACK_SIGNING_SECRET',
      'SLACK_APP_TOKEN',
      'DATABASE_URL',
      'SMTP_URL',
      'SECRET_KEY',
    ];
    for (const name of secretNames) expect(Object.keys(configMap.data ?? {})).not.toContain(name);
    expect(Object.keys(secretTemplate.stringData ?? {}).sort()).toEqual([
      'DATABASE_URL',
      'SECRET_KEY',
      'SLACK_BOT_TOKEN',
      'SLACK_SIGNING_SECRET',
      'SMTP_URL',
    ]);
    for (const [key, value] of Object.entries(secretTemplate.stringData ?? {})) expect(value, key).toBe('REPLACE_ME');
  });

  it('configure a process that starts: the ConfigMap with real secrets loads, the untouched template is refused by name', () => {
    const env = { ...configMap.data, ...exampleSecrets };
    for (const purpose of ['slack', 'worker', 'database'] as const)
      expect(() => loadConfig(env, purpose)).not.toThrow();
    const config = loadConfig(env, 'slack');
    expect(config.publicBaseUrl).toMatch(/^https:\/\//);
    let refusal: unknown;
    try {
      loadConfig({ ...configMap.data, ...secretTemplate.stringData }, 'slack');
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(ConfigError);
    const problems = (refusal as ConfigError).problems.join('\n');
    for (const name of ['SLACK_BOT_TOKEN', 'DATABASE_URL', 'SMTP_URL', 'SECRET_KEY']) expect(problems).toContain(name);
  });

  describe('run real `domum` subcommands', () => {
    const written: string[] = [];
    afterEach(() => {
      vi.restoreAllMocks();
      written.length = 0;
    });
    const helpExitCode = async (command: string) => {
      const capture = (chunk: string | Uint8Array) => {
        written.push(String(chunk));
        return true;
      };
      vi.spyOn(process.stdout, 'write').mockImplementation(capture);
      vi.spyOn(process.stderr, 'write').mockImplementation(capture);
      return runCli([command, '--help']);
    };

    it('web, worker, migrate and catalog load, each where it belongs', async () => {
      const commandOf = (object: K8sObject) =>
        podTemplate(object).spec.containers.map((container) =>
          [...(container.command ?? []), ...(container.args ?? [])].join(' '),
        );
      expect(commandOf(web)).toEqual(['web']);
      expect(commandOf(worker)).toEqual(['worker']);
      expect(commandOf(migrate)).toEqual(['migrate']);
      expect(commandOf(catalogLoad)).toEqual(['catalog load /catalog/catalog.yaml']);
      for (const { owner, container } of containers) {
        const [command] = container.args ?? [];
        expect(command, owner).toBeDefined();
        expect(await helpExitCode(command ?? ''), `${owner}: domum ${command} --help`).toBe(0);
      }
      expect(await helpExitCode('no-such-command'), 'an unknown command is refused').toBe(2);
      expect(written.join('')).toContain('Unknown command "no-such-command"');
    });
  });

  it('mount the catalog file where `domum catalog load` reads it, from the ConfigMap domum-catalog', () => {
    const spec = podTemplate(catalogLoad).spec as PodSpec & {
      volumes?: Array<{ name: string; configMap?: { name: string } }>;
    };
    const [container] = spec.containers as Array<
      Container & { volumeMounts?: Array<{ name: string; mountPath: string; readOnly?: boolean }> }
    >;
    const file = container?.args?.at(-1) ?? '';
    const mount = container?.volumeMounts?.find((candidate) => file.startsWith(`${candidate.mountPath}/`));
    expect(mount, `a volume is mounted above ${file}`).toMatchObject({ readOnly: true });
    expect(spec.volumes?.find((volume) => volume.name === mount?.name)?.configMap?.name).toBe('domum-catalog');
    expect(path.extname(file), 'a catalog file name ends in .yaml, .yml or .json').toMatch(/^\.(ya?ml|json)$/);
  });

  it('use one image everywhere', () => {
    const images = new Set(containers.map(({ container }) => container.image));
    expect(images.size).toBe(1);
    expect([...images][0]).toMatch(/^[\w.-]+(:\d+)?(\/[\w.-]+)+:[\w.-]+$/);
  });

  it('line up labels and selectors: each Deployment selects its own pods, the Service and PDBs the right ones', () => {
    for (const deployment of ofKind('Deployment')) {
      const selector = deployment.spec?.selector?.matchLabels ?? {};
      expect(Object.keys(selector).length, deployment.metadata.name).toBeGreaterThan(0);
      expect(
        matches(selector, podTemplate(deployment).metadata.labels),
        `${deployment.metadata.name} selects its template`,
      ).toBe(true);
    }
    expect(
      matches(web.spec?.selector?.matchLabels ?? {}, podTemplate(worker).metadata.labels),
      'web does not select worker pods',
    ).toBe(false);
    expect(
      matches(worker.spec?.selector?.matchLabels ?? {}, podTemplate(web).metadata.labels),
      'worker does not select web pods',
    ).toBe(false);
    const serviceSelector = (service.spec?.selector ?? {}) as Labels;
    expect(matches(serviceSelector, podTemplate(web).metadata.labels), 'the Service selects the web pods').toBe(true);
    expect(
      matches(serviceSelector, podTemplate(worker).metadata.labels),
      'the Service does not select the workers',
    ).toBe(false);
    expect(
      matches(serviceSelector, podTemplate(migrate).metadata.labels),
      'the Service does not select the migration',
    ).toBe(false);
    for (const budget of ofKind('PodDisruptionBudget')) {
      const target = named('Deployment', budget.metadata.name);
      const selector = budget.spec?.selector?.matchLabels ?? {};
      expect(matches(selector, podTemplate(target).metadata.labels), `PDB ${budget.metadata.name}`).toBe(true);
      for (const other of ofKind('Deployment').filter((deployment) => deployment !== target))
        expect(matches(selector, podTemplate(other).metadata.labels)).toBe(false);
    }
    expect(web.spec?.replicas ?? 1, 'several web replicas').toBeGreaterThan(1);
  });

  it('send the Service and the example Ingress to the port the container listens on (PORT)', () => {
    const port = Number(configMap.data?.PORT);
    for (const deployment of [web, worker]) {
      const [container] = podTemplate(deployment).spec.containers;
      expect(container?.ports, deployment.metadata.name).toEqual([
        { name: 'http', containerPort: port, protocol: 'TCP' },
      ]);
    }
    const [servicePort] = service.spec?.ports ?? [];
    expect(servicePort?.targetPort).toBe('http');
    const ingress = named('Ingress', 'domum-web');
    const rule = ingress.spec?.rules?.[0];
    expect(rule?.http.paths[0]?.backend.service).toEqual({
      name: service.metadata.name,
      port: { name: servicePort?.name },
    });
    expect(configMap.data?.PUBLIC_BASE_URL, 'the emailed links and Slack go to the Ingress host').toBe(
      `https://${rule?.host}`,
    );
    expect(ingress.spec?.tls?.[0]?.hosts).toEqual([rule?.host]);
  });

  it('probe paths the server answers: liveness /healthz, readiness /readyz, on the named port', async () => {
    const server = await startWebServer({
      port: 0,
      routes: healthRoutes({ ping: () => Promise.resolve(), isShuttingDown: () => false }),
      logger: createLogger({ write: () => undefined }),
    });
    try {
      const probed: string[] = [];
      for (const deployment of [web, worker]) {
        const [container] = podTemplate(deployment).spec.containers;
        expect(container?.livenessProbe?.httpGet?.path, deployment.metadata.name).toBe('/healthz');
        expect(container?.readinessProbe?.httpGet?.path, deployment.metadata.name).toBe('/readyz');
        for (const probe of [container?.startupProbe, container?.livenessProbe, container?.readinessProbe]) {
          expect(probe?.httpGet?.port).toBe('http');
          probed.push(probe?.httpGet?.path ?? '(none)');
        }
      }
      for (const probePath of new Set([...probed, '/no-such-probe'])) {
        const response = await fetch(`http://127.0.0.1:${server.port}${probePath}`);
        expect(response.status, probePath).toBe(probePath === '/no-such-probe' ? 404 : 200);
      }
    } finally {
      await server.close();
    }
  });

  it('run as non-root on a read-only root file system, with resource requests and limits', () => {
    for (const object of workloads) {
      const spec = podTemplate(object).spec;
      expect(spec.securityContext?.runAsNonRoot, object.metadata.name).toBe(true);
      expect(spec.securityContext?.runAsUser, object.metadata.name).toBeGreaterThan(0);
      for (const container of spec.containers) {
        expect(container.securityContext, object.metadata.name).toMatchObject({
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          capabilities: { drop: ['ALL'] },
        });
        for (const kind of ['requests', 'limits'] as const) {
          expect(container.resources?.[kind]?.cpu, `${object.metadata.name} ${kind}.cpu`).toBeDefined();
          expect(container.resources?.[kind]?.memory, `${object.metadata.name} ${kind}.memory`).toBeDefined();
        }
      }
    }
    for (const job of ofKind('Job')) expect(podTemplate(job).spec.restartPolicy, job.metadata.name).toBe('Never');
  });
});

describe('the Dockerfile', () => {
  const dockerfile = readFileSync('Dockerfile', 'utf8').replace(/\\\n/g, ' ');
  const instructions = dockerfile
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
  const arg = (name: string) =>
    instructions
      .filter((line) => line.toUpperCase().startsWith(`${name} `))
      .map((line) => line.slice(name.length + 1).trim());

  it('runs as a non-root user', () => {
    const users = arg('USER');
    expect(users.length).toBeGreaterThan(0);
    const last = users.at(-1) ?? '';
    expect(last.split(':')[0]).not.toMatch(/^(root|0)$/);
    const pods = workloads.map((object) => podTemplate(object).spec.securityContext?.runAsUser);
    expect(new Set(pods), 'the manifests run as the image user').toEqual(new Set([Number(last.split(':')[0])]));
  });

  it('installs production dependencies only, from the lockfile, without lifecycle scripts', () => {
    const installs = arg('RUN').filter((line) => /\bnpm\b/.test(line));
    expect(installs.length).toBeGreaterThan(0);
    for (const line of installs) {
      expect(line).toMatch(/\bnpm ci\b/);
      expect(line).toContain('--omit=dev');
      expect(line).toContain('--ignore-scripts');
      expect(line).not.toMatch(/\bnpm (install|i)\b/);
    }
  });

  it('runs `domum start` the way `npm start` does, and exposes PORT', () => {
    const packageJson = JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> };
    const start = (packageJson.scripts.start ?? '').split(/\s+/);
    const entrypoint = JSON.parse(arg('ENTRYPOINT').at(-1) ?? '[]') as string[];
    const cmd = JSON.parse(arg('CMD').at(-1) ?? '[]') as string[];
    expect([...entrypoint, ...cmd]).toEqual(start);
    expect(arg('EXPOSE')).toEqual([configMap.data?.PORT]);
  });

  it('keeps node_modules, local data, git, tests and secrets out of the build context', () => {
    const ignored = readFileSync('.dockerignore', 'utf8')
      .split('\n')
      .map((line) => line.trim());
    for (const entry of ['**/node_modules', 'data', '.git', 'test', 'test-output', '.env', '*.pem'])
      expect(ignored, entry).toContain(entry);
    const copied = arg('COPY').join('\n');
    for (const needed of ['package.json', 'package-lock.json', 'src', 'migrations'])
      expect(copied, needed).toContain(needed);
  });
});
