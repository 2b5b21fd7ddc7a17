import Config

/// The body of `GET /health`: one JSON object a load balancer or an operator reads at a glance.
/// `{"status":"serving","config_generation":2,"last_reload":{"result":"ok","time":"..."},"listeners":[...]}`
struct HealthReport {
    let serving: Bool
    let configuration: ConfigurationState
    let listeners: [ListenAddress]

    var json: String {
        let listed = listeners.map { JSONText.quoted($0.description) }.joined(separator: ",")
        return "{\"status\":\"\(serving ? "serving" : "stopping")\",\"config_generation\":\(configuration.generation),"
            + "\"last_reload\":{\"result\":\"\(configuration.lastResult.rawValue)\","
            + "\"time\":\(JSONText.quoted(DecisionLog.rfc3339(configuration.lastAttemptAt)))},"
            + "\"listeners\":[\(listed)]}\n"
    }
}
