//! Signing names of Go v1's service clients whose API signing name is neither their endpoint id
//! nor named by the endpoint model: each Go v1 client sets its API's signing name when the
//! resolved one was derived from the endpoint id (`if c.SigningNameDerived { c.SigningName = … }`).
//! The list is read off the `ServiceName`/`EndpointsID` and signing names of aws-sdk-go v1.55's
//! service packages.

/// `(endpoint id, signing name)`, sorted by endpoint id.
pub const CLIENT_SIGNING_NAMES: &[(&str, &str)] = &[
    ("a2i-runtime.sagemaker", "sagemaker"),
    ("agreement-marketplace", "aws-marketplace"),
    ("api.detective", "detective"),
    ("api.ecr", "ecr"),
    ("api.ecr-public", "ecr-public"),
    ("api.elastic-inference", "elastic-inference"),
    ("api.fleethub.iot", "iotfleethub"),
    ("api.iotdeviceadvisor", "iotdeviceadvisor"),
    ("api.iotwireless", "iotwireless"),
    ("api.mediatailor", "mediatailor"),
    ("api.pricing", "pricing"),
    ("api.sagemaker", "sagemaker"),
    ("api.tunneling.iot", "IoTSecuredTunneling"),
    ("appconfigdata", "appconfig"),
    ("appstream2", "appstream"),
    ("bedrock-agent", "bedrock"),
    ("bedrock-agent-runtime", "bedrock"),
    ("bedrock-runtime", "bedrock"),
    ("catalog.marketplace", "aws-marketplace"),
    ("cloudhsmv2", "cloudhsm"),
    ("cloudsearchdomain", "cloudsearch"),
    ("contact-lens", "connect"),
    ("controlplane.payment-cryptography", "payment-cryptography"),
    ("data-ats.iot", "iotdata"),
    ("data.iotevents", "ioteventsdata"),
    ("data.jobs.iot", "iot-jobs-data"),
    ("data.mediastore", "mediastore"),
    ("data.qapps", "qapps"),
    ("dataplane.payment-cryptography", "payment-cryptography"),
    ("deployment-marketplace", "aws-marketplace"),
    ("devices.iot1click", "iot1click"),
    ("edge.sagemaker", "sagemaker"),
    ("email", "ses"),
    ("entitlement.marketplace", "aws-marketplace"),
    ("featurestore-runtime.sagemaker", "sagemaker"),
    ("forecastquery", "forecast"),
    ("identity-chime", "chime"),
    ("ingest.timestream", "timestream"),
    ("ivsrealtime", "ivs"),
    ("mail-manager", "ses"),
    ("media-pipelines-chime", "chime"),
    ("meetings-chime", "chime"),
    ("memory-db", "memorydb"),
    ("messaging-chime", "chime"),
    ("metering.marketplace", "aws-marketplace"),
    ("metrics.sagemaker", "sagemaker"),
    ("migrationhub-config", "mgh"),
    ("models-v2-lex", "lex"),
    ("models.lex", "lex"),
    ("oidc", "sso-oauth"),
    ("participant.connect", "execute-api"),
    ("personalize-events", "personalize"),
    ("personalize-runtime", "personalize"),
    ("pinpoint", "mobiletargeting"),
    ("portal.sso", "awsssoportal"),
    ("projects.iot1click", "iot1click"),
    ("query.timestream", "timestream"),
    ("runtime-v2-lex", "lex"),
    ("runtime.lex", "lex"),
    ("runtime.sagemaker", "sagemaker"),
    ("s3-control", "s3"),
    ("servicecatalog-appregistry", "servicecatalog"),
    ("session.qldb", "qldb"),
    ("sms-voice.pinpoint", "sms-voice"),
    ("streams.dynamodb", "dynamodb"),
    ("transcribestreaming", "transcribe"),
    ("voice-chime", "chime"),
];

/// The signing name a Go v1 client of `service` uses when the endpoint model names none.
pub fn client_signing_name(service: &str) -> Option<&'static str> {
    CLIENT_SIGNING_NAMES
        .binary_search_by(|(id, _)| (*id).cmp(service))
        .ok()
        .and_then(|i| CLIENT_SIGNING_NAMES.get(i))
        .map(|(_, name)| *name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorted_and_found() {
        assert!(CLIENT_SIGNING_NAMES.windows(2).all(|w| w[0].0 < w[1].0));
        assert_eq!(client_signing_name("runtime.sagemaker"), Some("sagemaker"));
        assert_eq!(client_signing_name("sts"), None);
    }
}
