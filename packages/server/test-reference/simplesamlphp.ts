// SimpleSAMLphp (the Debian package, `apt-get install simplesamlphp php-cli php-xml php-mbstring`) as a
// SAML 2.0 IdP for the reference test: its configuration in a temporary folder (one user, alice), run
// with PHP's built-in server on a private 127.0.0.2 port, as `nobody` when the test runs as root, and
// stopped by the test.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const WWW = '/usr/share/simplesamlphp/www';
const HOST = '127.0.0.2';

export interface SimpleSamlPhp {
  readonly base: string;
  readonly metadataUrl: string;
  /** Registers a service provider (its entity ID and ACS) in the IdP's flat-file metadata. */
  addServiceProvider(entityId: string, acs: string): void;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, HOST, resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

const php = (value: string) => `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

function openUp(dir: string): void {
  chmodSync(dir, 0o777);
  for (const entry of readdirSync(dir)) {
    const file = path.join(dir, entry);
    if (statSync(file).isDirectory()) openUp(file);
    else chmodSync(file, 0o666);
  }
}

export async function startSimpleSamlPhp(): Promise<SimpleSamlPhp> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cxauth-simplesamlphp-'));
  for (const sub of ['cfg/metadata', 'cert', 'tmp', 'log'])
    mkdirSync(path.join(dir, sub), { recursive: true });
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-sha256',
      '-days',
      '2',
      '-subj',
      '/CN=simplesamlphp test',
      '-keyout',
      path.join(dir, 'cert', 'idp.pem'),
      '-out',
      path.join(dir, 'cert', 'idp.crt'),
    ],
    { stdio: 'ignore' },
  );
  const port = await freePort();
  const base = `http://${HOST}:${port}/`;
  const entityId = `${base}saml2/idp/metadata.php`;
  writeFileSync(
    path.join(dir, 'cfg', 'config.php'),
    `<?php
$config = [
  'baseurlpath' => ${php(base)},
  'certdir' => ${php(`${dir}/cert/`)},
  'loggingdir' => ${php(`${dir}/log/`)},
  'datadir' => ${php(`${dir}/tmp/`)},
  'tempdir' => ${php(`${dir}/tmp/`)},
  'metadatadir' => ${php(`${dir}/cfg/metadata/`)},
  'secretsalt' => 'cxauth-reference-test-salt',
  'auth.adminpassword' => 'unused-reference-test-admin',
  'technicalcontact_name' => 'cxauth tests',
  'technicalcontact_email' => 'tests@cxauth.test',
  'timezone' => 'UTC',
  'logging.level' => SimpleSAML\\Logger::WARNING,
  'logging.handler' => 'stderr',
  'enable.saml20-idp' => true,
  'module.enable' => ['exampleauth' => true, 'core' => true, 'saml' => true, 'admin' => true],
  'store.type' => 'phpsession',
  'session.cookie.secure' => false,
  'metadata.sources' => [['type' => 'flatfile']],
  'language.available' => ['en'],
  'language.default' => 'en',
];
`,
  );
  writeFileSync(
    path.join(dir, 'cfg', 'authsources.php'),
    `<?php
$config = [
  'admin' => ['core:AdminPassword'],
  'example-userpass' => [
    'exampleauth:UserPass',
    'alice:alicepass' => ['uid' => ['alice'], 'email' => ['alice@ssp.test'], 'givenName' => ['Alice'], 'sn' => ['Smith']],
  ],
];
`,
  );
  writeFileSync(
    path.join(dir, 'cfg', 'metadata', 'saml20-idp-hosted.php'),
    `<?php
$metadata[${php(entityId)}] = [
  'host' => '__DEFAULT__',
  'privatekey' => 'idp.pem',
  'certificate' => 'idp.crt',
  'auth' => 'example-userpass',
  'NameIDFormat' => 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
  'simplesaml.nameidattribute' => 'uid',
  'saml20.sign.assertion' => true,
];
`,
  );
  const spFile = path.join(dir, 'cfg', 'metadata', 'saml20-sp-remote.php');
  writeFileSync(spFile, '<?php\n');
  openUp(dir);
  const asNobody = process.getuid?.() === 0;
  const command = asNobody ? 'setpriv' : 'php';
  const args = ['-S', `${HOST}:${port}`, '-t', WWW];
  const child: ChildProcess = spawn(
    command,
    asNobody ? ['--reuid=65534', '--regid=65534', '--clear-groups', 'php', ...args] : args,
    { env: { ...process.env, SIMPLESAMLPHP_CONFIG_DIR: path.join(dir, 'cfg') }, stdio: 'ignore' },
  );
  const metadataUrl = entityId;
  for (let i = 0; ; i++) {
    const res = await fetch(metadataUrl).catch(() => undefined);
    if (res?.ok && (await res.text()).includes('EntityDescriptor')) break;
    if (i > 50) throw new Error('SimpleSAMLphp did not start');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    base,
    metadataUrl,
    addServiceProvider(spEntityId, acs) {
      writeFileSync(
        spFile,
        `<?php\n$metadata[${php(spEntityId)}] = [\n  'AssertionConsumerService' => ${php(acs)},\n  'NameIDFormat' => 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',\n];\n`,
      );
      chmodSync(spFile, 0o666);
    },
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
