package ststest

import (
	"encoding/xml"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Image is a machine image the server lists in DescribeImages, owned by the
// server's account.
type Image struct {
	// ImageID is the ID, such as "ami-0123456789abcdef0". Required.
	ImageID string
	// Name is the image's name. The zero value lists an empty name.
	Name string
	// Description is free text. The zero value lists no description.
	Description string
	// Architecture is "x86_64" or "arm64". The zero value means "x86_64".
	Architecture string
	// CreationDate is when the image was made. The zero value lists
	// 2024-01-01T00:00:00Z.
	CreationDate time.Time
}

// DefaultImages returns the images a [Server] lists when its Images field
// is nil: three images, each call returning a fresh slice.
func DefaultImages() []Image {
	day := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	return []Image{
		{ImageID: "ami-0a1b2c3d4e5f60001", Name: "ststest-linux-x86_64",
			Description: "Linux test image", CreationDate: day},
		{ImageID: "ami-0a1b2c3d4e5f60002", Name: "ststest-linux-arm64",
			Description: "Linux test image", Architecture: "arm64", CreationDate: day},
		{ImageID: "ami-0a1b2c3d4e5f60003", Name: "ststest-windows",
			Description: "Windows test image", CreationDate: day},
	}
}

// regions are the regions DescribeRegions lists.
var regions = []string{"ap-northeast-1", "ap-southeast-2", "eu-central-1", "eu-west-1",
	"us-east-1", "us-east-2", "us-west-1", "us-west-2"}

type ec2State struct {
	instances []*instance
}

type instance struct {
	id, reservation, imageID, instanceType, subnetID, region string
	state                                                    int
	launched                                                 time.Time
}

var stateNames = map[int]string{0: "pending", 16: "running", 32: "shutting-down", 48: "terminated"}

func (s *Server) serveEC2(action string, req *request) *apiError {
	handlers := map[string]func(*request) *apiError{
		"DescribeImages":     s.describeImages,
		"DescribeInstances":  s.describeInstances,
		"RunInstances":       s.runInstances,
		"TerminateInstances": s.terminateInstances,
		"DescribeRegions":    s.describeRegions,
	}
	h := handlers[action]
	if h == nil {
		return invalidAction("ec2", action)
	}
	if !s.allowed(req, "ec2:"+action, s.ec2Resources(action, req)) {
		return errUnauthorized
	}
	if req.params.Get("DryRun") == "true" {
		return &apiError{http.StatusPreconditionFailed, "DryRunOperation",
			"Request would have succeeded, but DryRun flag is set."}
	}
	return h(req)
}

// ec2Resources lists the ARNs an action touches. Describe actions do not
// support resource-level permissions and touch "*". RunInstances touches
// the image, the new instances, and the subnet and security groups it
// names; real EC2 also checks the network interface and volumes, which
// this server does not model.
func (s *Server) ec2Resources(action string, req *request) []string {
	prefix := "arn:aws:ec2:" + req.region + ":" + s.AccountID + ":"
	switch action {
	case "RunInstances":
		res := []string{
			"arn:aws:ec2:" + req.region + "::image/" + req.params.Get("ImageId"),
			prefix + "instance/*",
		}
		if sub := req.params.Get("SubnetId"); sub != "" {
			res = append(res, prefix+"subnet/"+sub)
		}
		for _, g := range listParam(req.params, "SecurityGroupId", "") {
			res = append(res, prefix+"security-group/"+g)
		}
		return res
	case "TerminateInstances":
		var res []string
		for _, id := range listParam(req.params, "InstanceId", "") {
			res = append(res, prefix+"instance/"+id)
		}
		return res
	}
	return []string{"*"}
}

// allowed evaluates the caller's policies: the root user's UserPolicy, if
// any, for everyone, and the session layer for federated users.
func (s *Server) allowed(req *request, action string, resources []string) bool {
	var layers [][]*policyDoc
	if s.userPolicy != nil {
		layers = append(layers, []*policyDoc{s.userPolicy})
	}
	ctx := map[string]string{
		"aws:sourceip":        req.ip,
		"aws:requestedregion": req.region,
		"ec2:region":          req.region,
		"aws:principaltype":   "User",
	}
	if req.id.kind != kindRoot {
		ctx["aws:multifactorauthpresent"] = strconv.FormatBool(req.id.mfa)
	}
	if req.id.kind == kindFederated {
		ctx["aws:principaltype"] = "FederatedUser"
		layers = append(layers, req.id.session)
	}
	return authorize(layers, action, resources, ctx)
}

type imageXML struct {
	ImageID            string `xml:"imageId"`
	ImageLocation      string `xml:"imageLocation"`
	ImageState         string `xml:"imageState"`
	ImageOwnerID       string `xml:"imageOwnerId"`
	CreationDate       string `xml:"creationDate"`
	IsPublic           bool   `xml:"isPublic"`
	Architecture       string `xml:"architecture"`
	ImageType          string `xml:"imageType"`
	Name               string `xml:"name"`
	Description        string `xml:"description,omitempty"`
	RootDeviceType     string `xml:"rootDeviceType"`
	RootDeviceName     string `xml:"rootDeviceName"`
	VirtualizationType string `xml:"virtualizationType"`
	Hypervisor         string `xml:"hypervisor"`
	PlatformDetails    string `xml:"platformDetails"`
}

func (s *Server) describeImages(req *request) *apiError {
	ids := listParam(req.params, "ImageId", "")
	for _, id := range ids {
		if !strings.HasPrefix(id, "ami-") {
			return &apiError{http.StatusBadRequest, "InvalidAMIID.Malformed",
				`Invalid id: "` + id + `" (expecting "ami-...")`}
		}
	}
	owners := listParam(req.params, "Owner", "")
	filters, e := ec2Filters(req, "image-id", "name", "owner-id", "state", "architecture")
	if e != nil {
		return e
	}
	var out []imageXML
	found := map[string]bool{}
	for _, im := range s.Images {
		x := s.imageXML(im)
		fields := map[string]string{"image-id": x.ImageID, "name": x.Name,
			"owner-id": x.ImageOwnerID, "state": x.ImageState, "architecture": x.Architecture}
		if len(ids) > 0 && !slices.Contains(ids, im.ImageID) ||
			len(owners) > 0 && !slices.Contains(owners, "self") &&
				!slices.Contains(owners, s.AccountID) || !filters.match(fields) {
			continue
		}
		found[im.ImageID] = true
		out = append(out, x)
	}
	for _, id := range ids {
		if !found[id] && len(owners) == 0 && len(filters) == 0 {
			return &apiError{http.StatusBadRequest, "InvalidAMIID.NotFound",
				"The image id '[" + id + "]' does not exist"}
		}
	}
	writeXML(req.w, struct {
		XMLName xml.Name `xml:"DescribeImagesResponse"`
		ec2Head
		Images []imageXML `xml:"imagesSet>item"`
	}{xml.Name{}, newEC2Head(), out})
	return nil
}

func (s *Server) imageXML(im Image) imageXML {
	arch, created := im.Architecture, im.CreationDate
	if arch == "" {
		arch = "x86_64"
	}
	if created.IsZero() {
		created = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	return imageXML{
		ImageID: im.ImageID, ImageLocation: s.AccountID + "/" + im.Name,
		ImageState: "available", ImageOwnerID: s.AccountID,
		CreationDate: created.UTC().Format("2006-01-02T15:04:05.000Z"),
		Architecture: arch, ImageType: "machine", Name: im.Name, Description: im.Description,
		RootDeviceType: "ebs", RootDeviceName: "/dev/xvda", VirtualizationType: "hvm",
		Hypervisor: "xen", PlatformDetails: "Linux/UNIX",
	}
}

// ec2Filter holds the Filter.N.Name and Filter.N.Value.M parameters.
type ec2Filter map[string][]string

func ec2Filters(req *request, known ...string) (ec2Filter, *apiError) {
	f := ec2Filter{}
	for i := 1; ; i++ {
		prefix := "Filter." + strconv.Itoa(i)
		name, ok := req.params[prefix+".Name"]
		if !ok {
			return f, nil
		}
		if !slices.Contains(known, name[0]) {
			return nil, &apiError{http.StatusBadRequest, "InvalidParameterValue",
				"The filter '" + name[0] + "' is invalid"}
		}
		f[name[0]] = append(f[name[0]], listParam(req.params, prefix+".Value", "")...)
	}
}

func (f ec2Filter) match(fields map[string]string) bool {
	for name, values := range f {
		if !anyMatch(values, fields[name], false) {
			return false
		}
	}
	return true
}

func (s *Server) describeRegions(req *request) *apiError {
	type region struct {
		RegionName     string `xml:"regionName"`
		RegionEndpoint string `xml:"regionEndpoint"`
		OptInStatus    string `xml:"optInStatus"`
	}
	names := listParam(req.params, "RegionName", "")
	var out []region
	for _, r := range regions {
		if len(names) == 0 || slices.Contains(names, r) {
			out = append(out, region{r, "ec2." + r + ".amazonaws.com", "opt-in-not-required"})
		}
	}
	writeXML(req.w, struct {
		XMLName xml.Name `xml:"DescribeRegionsResponse"`
		ec2Head
		Regions []region `xml:"regionInfo>item"`
	}{xml.Name{}, newEC2Head(), out})
	return nil
}
