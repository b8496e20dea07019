namespace Propeller.Core.Configuration;

/// <summary>The variables one program reads its broker address and MQTT TLS files from (upstream's
/// <c>*_MQTT_TLS_CA_CERT</c>, <c>*_MQTT_TLS_CLIENT_CERT</c>, <c>*_MQTT_TLS_CLIENT_KEY</c>,
/// <c>*_MQTT_TLS_INSECURE_SKIP_VERIFY</c>), so <see cref="MqttTlsFiles.Read"/> names them in its messages.</summary>
public sealed record MqttTlsSettingNames(string Address, string CaCertificate, string ClientCertificate, string ClientKey, string InsecureSkipVerify);
