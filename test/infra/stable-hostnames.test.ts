import { Match, type Template } from 'aws-cdk-lib/assertions';
import type { CfnApi, CfnDomainName } from 'aws-cdk-lib/aws-apigatewayv2';
import { type Json, synthStage } from './stack-fixtures';

// A stable hostname (issue 15 item 2): with a custom domain in context, both APIs answer on names of the stage's
// Route 53 zone, with an ACM certificate; the execute-api endpoints can then be turned off.

const DOMAIN = {
  stage: 'staging',
  domainName: 'mpsd.staging.example.com',
  hostedZoneId: 'Z0123456789ABCDEFGHIJ',
  hostedZoneName: 'staging.example.com',
};

const named = synthStage({ ...DOMAIN, disableExecuteApiEndpoint: 'true' });

it('requests one certificate for both names, validated by DNS in the stage’s zone', () => {
  named.template.resourceCountIs('AWS::CertificateManager::Certificate', 1);
  named.template.hasResourceProperties('AWS::CertificateManager::Certificate', {
    DomainName: 'mpsd.staging.example.com',
    SubjectAlternativeNames: ['rta.mpsd.staging.example.com'],
    ValidationMethod: 'DNS',
    DomainValidationOptions: Match.arrayWith([
      { DomainName: 'mpsd.staging.example.com', HostedZoneId: 'Z0123456789ABCDEFGHIJ' },
    ]),
  });
});

it('maps the HTTP API and the WebSocket API onto their names, with A and AAAA alias records', () => {
  const domains = named.template.findResources('AWS::ApiGatewayV2::DomainName') as Record<string, Json>;
  const names = Object.values(domains).map((d) => (d.Properties as Json).DomainName);
  expect(names.sort()).toEqual(['mpsd.staging.example.com', 'rta.mpsd.staging.example.com']);
  const mappings = Object.values(named.template.findResources('AWS::ApiGatewayV2::ApiMapping')) as Json[];
  const apiOf = (api: CfnApi) => ({ Ref: named.stack.getLogicalId(api) });
  expect(mappings.map((m) => (m.Properties as Json).ApiId)).toEqual(
    expect.arrayContaining([
      apiOf(named.stack.api.httpApi.node.defaultChild as CfnApi),
      apiOf(named.stack.realTimeApi.webSocketApi.node.defaultChild as CfnApi),
    ]),
  );
  expect(mappings).toHaveLength(2);
  for (const type of ['A', 'AAAA']) {
    for (const name of ['mpsd.staging.example.com.', 'rta.mpsd.staging.example.com.']) {
      named.template.hasResourceProperties('AWS::Route53::RecordSet', {
        Name: name,
        Type: type,
        HostedZoneId: 'Z0123456789ABCDEFGHIJ',
        AliasTarget: Match.objectLike({ DNSName: Match.anyValue() }),
      });
    }
  }
});

it('gives the custom URLs as outputs, and the tap function posts frames through the custom name', () => {
  const { stack, template } = named;
  // The domain's Ref is its name: the URL is `https://` + the HTTP domain, `wss://` + the WebSocket one.
  const urlOf = (scheme: string, domain: { node: { defaultChild?: unknown } }) => ({
    'Fn::Join': ['', [scheme, { Ref: stack.getLogicalId(domain.node.defaultChild as CfnDomainName) }]],
  });
  const hostnames = stack.hostnames as NonNullable<typeof stack.hostnames>;
  template.hasOutput('ApiUrl', { Value: urlOf('https://', hostnames.httpDomain) });
  template.hasOutput('RealTimeUrl', { Value: urlOf('wss://', hostnames.realTimeDomain) });
  template.hasResourceProperties('AWS::Lambda::Function', {
    Environment: { Variables: Match.objectLike({ RTA_CALLBACK_URL: urlOf('https://', hostnames.realTimeDomain) }) },
  });
});

it('turns both execute-api endpoints off when asked, and leaves them on by default', () => {
  const apis = (template: Template) =>
    (Object.values(template.findResources('AWS::ApiGatewayV2::Api')) as Json[]).map(
      (api) => (api.Properties as Json).DisableExecuteApiEndpoint,
    );
  expect(apis(named.template)).toEqual([true, true]);
  expect(apis(synthStage(DOMAIN).template)).toEqual([false, false]);
});

it('uses a given certificate instead of requesting one, and a given name for the WebSocket API', () => {
  const { template } = synthStage({
    ...DOMAIN,
    realTimeDomainName: 'rta.staging.example.com',
    certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/00000000-0000-0000-0000-000000000000',
  });
  template.resourceCountIs('AWS::CertificateManager::Certificate', 0);
  template.hasResourceProperties('AWS::ApiGatewayV2::DomainName', {
    DomainName: 'rta.staging.example.com',
    DomainNameConfigurations: [
      Match.objectLike({
        CertificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/00000000-0000-0000-0000-000000000000',
      }),
    ],
  });
});

it('without a domain, the stage has only its execute-api URLs', () => {
  const { template } = synthStage({});
  template.resourceCountIs('AWS::ApiGatewayV2::DomainName', 0);
  template.resourceCountIs('AWS::CertificateManager::Certificate', 0);
  template.resourceCountIs('AWS::Route53::RecordSet', 0);
});
