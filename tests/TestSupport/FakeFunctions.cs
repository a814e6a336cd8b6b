using System.Collections.Immutable;
using System.Net;
using System.Reflection;
using System.Security.Claims;
using System.Text;
using System.Text.Json;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;

namespace JwtFunctions.TestSupport;

/// <summary>
/// The least FunctionContext the Bearer middleware and the function classes run on, outside the
/// worker (unit tests and benchmarks).
/// GetHttpRequestDataAsync() reads the public IHttpRequestDataFeature; GetInvocationResult() reads
/// the worker's internal IFunctionBindingsFeature, which is provided by a DispatchProxy (the
/// runtime's proxy generator may implement non-public interfaces) registered under that type.
/// </summary>
public sealed class FakeFunctionContext : FunctionContext
{
    private static readonly Type BindingsFeatureType =
        typeof(FunctionContext).Assembly.GetType("Microsoft.Azure.Functions.Worker.Context.Features.IFunctionBindingsFeature", throwOnError: true)!;

    private readonly FakeFeatures _features = new();
    private readonly BindingsProxy _bindings;

    /// <summary>A context for calling a function class directly (no definition, no services).</summary>
    public FakeFunctionContext()
        : this(new FakeFunctionDefinition("test", "test"), null!)
    {
    }

    public FakeFunctionContext(FunctionDefinition definition, IServiceProvider services)
    {
        FunctionDefinition = definition;
        InstanceServices = services;
        var proxy = DispatchProxy.Create(BindingsFeatureType, typeof(BindingsProxy));
        _bindings = (BindingsProxy)proxy;
        _features.Set(BindingsFeatureType, proxy);
    }

    public HttpRequestData? Request { get; private set; }

    public void Attach(HttpRequestData request)
    {
        Request = request;
        _features.Set(typeof(IHttpRequestDataFeature), new RequestFeature(request));
    }

    public object? InvocationResult
    {
        get => _bindings.InvocationResult;
        set => _bindings.InvocationResult = value;
    }

    public override string InvocationId { get; } = Guid.NewGuid().ToString();

    public override string FunctionId => FunctionDefinition.Id;

    public override TraceContext TraceContext => null!;

    public override BindingContext BindingContext => null!;

    public override RetryContext RetryContext => null!;

    public override IServiceProvider InstanceServices { get; set; }

    public override FunctionDefinition FunctionDefinition { get; }

    public override IDictionary<object, object> Items { get; set; } = new Dictionary<object, object>();

    public override IInvocationFeatures Features => _features;

    public override CancellationToken CancellationToken => CancellationToken.None;

    private sealed class RequestFeature(HttpRequestData request) : IHttpRequestDataFeature
    {
        private readonly ValueTask<HttpRequestData?> _result = ValueTask.FromResult<HttpRequestData?>(request);

        public ValueTask<HttpRequestData?> GetHttpRequestDataAsync(FunctionContext context) => _result;
    }

    private sealed class FakeFeatures : IInvocationFeatures
    {
        private readonly Dictionary<Type, object> _features = [];

        public void Set(Type type, object instance) => _features[type] = instance;

        public T? Get<T>() => _features.TryGetValue(typeof(T), out var feature) ? (T)feature : default;

        public void Set<T>(T instance) => _features[typeof(T)] = instance!;

        public IEnumerator<KeyValuePair<Type, object>> GetEnumerator() => _features.GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}

/// <summary>Implements the worker's internal IFunctionBindingsFeature: only InvocationResult is used here.</summary>
public class BindingsProxy : DispatchProxy
{
    public object? InvocationResult { get; set; }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) => targetMethod?.Name switch
    {
        "get_InvocationResult" => InvocationResult,
        "set_InvocationResult" => SetResult(args![0]),
        "get_InputData" or "get_TriggerMetadata" => ImmutableDictionary<string, object?>.Empty,
        "get_OutputBindingData" => new Dictionary<string, object?>(),
        _ => throw new NotSupportedException(targetMethod?.Name),
    };

    private object? SetResult(object? value)
    {
        InvocationResult = value;
        return null;
    }
}

public sealed class FakeFunctionDefinition(string name, string entryPoint) : FunctionDefinition
{
    public override ImmutableArray<FunctionParameter> Parameters => [];

    /// <summary>The app assembly, which the tests and benchmarks that use this have in their output folder.</summary>
    public override string PathToAssembly { get; } = Path.Combine(AppContext.BaseDirectory, "JwtFunctions.dll");

    public override string EntryPoint => entryPoint;

    public override string Id => "fake-" + name;

    public override string Name => name;

    public override IImmutableDictionary<string, BindingMetadata> InputBindings { get; } =
        ImmutableDictionary<string, BindingMetadata>.Empty.Add("request", new HttpTriggerBinding());

    public override IImmutableDictionary<string, BindingMetadata> OutputBindings { get; } = ImmutableDictionary<string, BindingMetadata>.Empty;

    private sealed class HttpTriggerBinding : BindingMetadata
    {
        public override string Name => "request";

        public override string Type => "httpTrigger";

        public override BindingDirection Direction => BindingDirection.In;
    }
}

/// <summary>An HTTP request as the worker hands it to a function: method, body, content type, headers.</summary>
public sealed class FakeHttpRequest : HttpRequestData
{
    public FakeHttpRequest(FunctionContext context, string method, byte[]? body = null, string? contentType = "application/json", string url = "http://localhost/api/test", params (string Name, string Value)[] headers)
        : base(context)
    {
        Method = method;
        Url = new Uri(url);
        foreach (var (name, value) in headers)
        {
            Headers.Add(name, value);
        }

        Body = new MemoryStream(body ?? []);
        if (contentType is not null && body is not null)
        {
            Headers.Add("Content-Type", contentType);
        }
    }

    public static FakeHttpRequest Json(string method, string json) => new(new FakeFunctionContext(), method, Encoding.UTF8.GetBytes(json));

    public override Stream Body { get; }
    public override HttpHeadersCollection Headers { get; } = [];
    public override IReadOnlyCollection<IHttpCookie> Cookies { get; } = [];
    public override Uri Url { get; }
    public override IEnumerable<ClaimsIdentity> Identities { get; } = [];
    public override string Method { get; }

    public override HttpResponseData CreateResponse() => new FakeHttpResponse(FunctionContext);
}

public sealed class FakeHttpResponse(FunctionContext context) : HttpResponseData(context)
{
    public override HttpStatusCode StatusCode { get; set; } = HttpStatusCode.OK;
    public override HttpHeadersCollection Headers { get; set; } = [];
    public override Stream Body { get; set; } = new MemoryStream();
    public override HttpCookies Cookies => throw new NotSupportedException();

    public static JsonElement JsonOf(HttpResponseData response)
    {
        response.Body.Position = 0;
        return JsonDocument.Parse(response.Body).RootElement.Clone();
    }

    public static string Header(HttpResponseData response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(", ", values) : "(none)";
}
