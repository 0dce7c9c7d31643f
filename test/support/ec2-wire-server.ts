import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const FIXTURES = new URL('../fixtures/aws/', import.meta.url);
export const recordedAwsAnswer = (name: string) => readFileSync(new URL(name, FIXTURES), 'utf8');

export interface FakeInstance {
  id: string;
  privateIp: string;
  state: 'pending' | 'running' | 'stopping' | 'stopped' | 'terminated';
  tags: Record<string, string>;
  zone?: string;
  group?: string;
}

export interface Ec2Wire {
  url: string;
  instances: FakeInstance[];
  /** Parsed form bodies, in order (Action plus parameters). */
  calls: Record<string, string>[];
  /** Refuse every request of this action with the recorded 403 error. */
  deny: Set<string>;
  /** Serve this raw body for the next request (a recorded answer, verbatim). */
  nextRaw: string | undefined;
  pageSize: number;
  close(): Promise<void>;
}

/**
 * EC2 and Auto Scaling on one endpoint, speaking the Query protocol (form-encoded POST, XML
 * answers) as `@aws-sdk/client-ec2` and `@aws-sdk/client-auto-scaling` send it. Filters
 * `instance-state-name` and `tag:KEY`, `InstanceId.N`, `AutoScalingGroupNames.member.N` and
 * `NextToken` paging are honoured.
 */
export async function startEc2Wire(): Promise<Ec2Wire> {
  const state: Omit<Ec2Wire, 'url' | 'close'> = { instances: [], calls: [], deny: new Set(), nextRaw: undefined, pageSize: 100 };
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      const form = Object.fromEntries(new URLSearchParams(raw));
      state.calls.push(form);
      res.setHeader('content-type', 'text/xml;charset=UTF-8');
      const action = form['Action'] ?? '';
      if (state.nextRaw !== undefined) {
        res.end(state.nextRaw);
        state.nextRaw = undefined;
        return;
      }
      if (state.deny.has(action)) {
        res.statusCode = 403;
        res.end(
          action === 'DescribeInstances'
            ? recordedAwsAnswer('ec2-error-unauthorized.xml')
            : `<ErrorResponse xmlns="http://autoscaling.amazonaws.com/doc/2011-01-01/"><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User is not authorized to perform: autoscaling:DescribeAutoScalingGroups</Message></Error><RequestId>req-1</RequestId></ErrorResponse>`,
        );
        return;
      }
      if (action === 'DescribeInstances') return void res.end(describeInstances(form));
      if (action === 'DescribeAutoScalingGroups') return void res.end(describeGroups(form));
      res.statusCode = 400;
      res.end(`<Response><Errors><Error><Code>InvalidAction</Code><Message>${action}</Message></Error></Errors><RequestID>r</RequestID></Response>`);
    });
  });

  function listed(form: Record<string, string>, prefix: string): string[] {
    return Object.entries(form)
      .filter(([k]) => k.startsWith(prefix))
      .map(([, v]) => v);
  }

  function describeInstances(form: Record<string, string>): string {
    const filters = new Map<string, string[]>();
    for (const [key, name] of Object.entries(form)) {
      const m = /^Filter\.(\d+)\.Name$/.exec(key);
      if (m) filters.set(name, listed(form, `Filter.${m[1]}.Value.`));
    }
    const ids = listed(form, 'InstanceId.');
    const matching = state.instances.filter((i) => {
      if (ids.length > 0 && !ids.includes(i.id)) return false;
      for (const [name, values] of filters) {
        if (name === 'instance-state-name' && !values.includes(i.state)) return false;
        if (name.startsWith('tag:') && !values.includes(i.tags[name.slice(4)] ?? '\0')) return false;
      }
      return true;
    });
    const start = Number(form['NextToken'] ?? 0);
    const page = matching.slice(start, start + state.pageSize);
    const next = start + state.pageSize < matching.length ? `<nextToken>${start + state.pageSize}</nextToken>` : '';
    const items = page
      .map(
        (i) => `<item><reservationId>r-${i.id.slice(2)}</reservationId><ownerId>123456789012</ownerId><groupSet/><instancesSet><item>
<instanceId>${i.id}</instanceId><imageId>ami-0abcdef1234567890</imageId>
<instanceState><code>${i.state === 'running' ? 16 : 0}</code><name>${i.state}</name></instanceState>
<privateDnsName>ip-${i.privateIp.replace(/\./g, '-')}.eu-west-1.compute.internal</privateDnsName>
<placement><availabilityZone>${i.zone ?? 'eu-west-1a'}</availabilityZone><tenancy>default</tenancy></placement>
<privateIpAddress>${i.privateIp}</privateIpAddress>
<tagSet>${Object.entries(i.tags)
          .map(([k, v]) => `<item><key>${k}</key><value>${v}</value></item>`)
          .join('')}</tagSet>
</item></instancesSet></item>`,
      )
      .join('');
    return `<?xml version="1.0" encoding="UTF-8"?>\n<DescribeInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>req-${state.calls.length}</requestId><reservationSet>${items}</reservationSet>${next}</DescribeInstancesResponse>`;
  }

  function describeGroups(form: Record<string, string>): string {
    const names = listed(form, 'AutoScalingGroupNames.member.');
    const groups = names
      .filter((name) => state.instances.some((i) => i.group === name))
      .map((name) => {
        const members = state.instances.filter((i) => i.group === name && i.state !== 'terminated');
        return `<member><AutoScalingGroupName>${name}</AutoScalingGroupName><MinSize>0</MinSize><MaxSize>9</MaxSize><DesiredCapacity>${members.length}</DesiredCapacity><DefaultCooldown>300</DefaultCooldown><AvailabilityZones><member>eu-west-1a</member></AvailabilityZones><HealthCheckType>EC2</HealthCheckType><CreatedTime>2026-10-01T10:00:00.000Z</CreatedTime><Instances>${members
          .map(
            (i) =>
              `<member><InstanceId>${i.id}</InstanceId><AvailabilityZone>${i.zone ?? 'eu-west-1a'}</AvailabilityZone><LifecycleState>InService</LifecycleState><HealthStatus>Healthy</HealthStatus><ProtectedFromScaleIn>false</ProtectedFromScaleIn></member>`,
          )
          .join('')}</Instances></member>`;
      })
      .join('');
    return `<DescribeAutoScalingGroupsResponse xmlns="http://autoscaling.amazonaws.com/doc/2011-01-01/"><DescribeAutoScalingGroupsResult><AutoScalingGroups>${groups}</AutoScalingGroups></DescribeAutoScalingGroupsResult><ResponseMetadata><RequestId>req-${state.calls.length}</RequestId></ResponseMetadata></DescribeAutoScalingGroupsResponse>`;
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}
