import { DomainName } from 'aws-cdk-lib/aws-apigatewayv2';
import { Certificate, CertificateValidation, type ICertificate } from 'aws-cdk-lib/aws-certificatemanager';
import { AaaaRecord, ARecord, HostedZone, RecordTarget } from 'aws-cdk-lib/aws-route53';
import { ApiGatewayv2DomainProperties } from 'aws-cdk-lib/aws-route53-targets';
import { Construct } from 'constructs';
import type { CustomDomainSettings } from '../stage-settings';

/**
 * Stable host names for a stage (issue 15 item 2): game builds call `https://<httpDomainName>` and connect to
 * `wss://<realTimeDomainName>`, which survive the APIs being replaced, instead of execute-api URLs that do not.
 * One ACM certificate covers both names (the stack's own, validated by DNS in the hosted zone, unless an existing
 * one is named); each name is a regional API Gateway domain with an alias record (A and AAAA) in the Route 53 zone.
 * The APIs map themselves onto these domains (SessionApi, RealTimeApi).
 */
export class StableHostnames extends Construct {
  public readonly certificate: ICertificate;
  public readonly httpDomain: DomainName;
  public readonly realTimeDomain: DomainName;
  /** `https://<httpDomainName>`: the HTTP API's base URL. */
  public readonly httpUrl: string;
  /** `wss://<realTimeDomainName>`: what RTA clients connect to. */
  public readonly realTimeUrl: string;

  public constructor(scope: Construct, id: string, settings: CustomDomainSettings) {
    super(scope, id);
    const zone = HostedZone.fromHostedZoneAttributes(this, 'Zone', {
      hostedZoneId: settings.hostedZoneId,
      zoneName: settings.hostedZoneName,
    });
    this.certificate =
      settings.certificateArn === undefined
        ? new Certificate(this, 'Certificate', {
            domainName: settings.httpDomainName,
            subjectAlternativeNames: [settings.realTimeDomainName],
            // DNS validation records go into the zone, so the first deploy waits for ACM (minutes) and renewals
            // need nobody.
            validation: CertificateValidation.fromDns(zone),
          })
        : Certificate.fromCertificateArn(this, 'Certificate', settings.certificateArn);

    const domainOf = (domainId: string, domainName: string): DomainName => {
      const domain = new DomainName(this, domainId, { domainName, certificate: this.certificate });
      const target = RecordTarget.fromAlias(
        new ApiGatewayv2DomainProperties(domain.regionalDomainName, domain.regionalHostedZoneId),
      );
      new ARecord(this, `${domainId}A`, { zone, recordName: domainName, target });
      new AaaaRecord(this, `${domainId}Aaaa`, { zone, recordName: domainName, target });
      return domain;
    };
    this.httpDomain = domainOf('HttpDomain', settings.httpDomainName);
    this.realTimeDomain = domainOf('RealTimeDomain', settings.realTimeDomainName);
    this.httpUrl = `https://${settings.httpDomainName}`;
    this.realTimeUrl = `wss://${settings.realTimeDomainName}`;
  }
}
