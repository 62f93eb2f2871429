package ststest

import (
	"encoding/xml"
	"net/http"
	"slices"
	"strconv"
)

// Instances live in memory for the life of the server. They start
// "pending" in the answer of RunInstances and are "running" from then on;
// TerminateInstances moves them to "shutting-down" in its answer and to
// "terminated" afterwards, and terminated instances stay listed.

type stateXML struct {
	Code int    `xml:"code"`
	Name string `xml:"name"`
}

type instanceXML struct {
	InstanceID         string   `xml:"instanceId"`
	ImageID            string   `xml:"imageId"`
	State              stateXML `xml:"instanceState"`
	PrivateDNSName     string   `xml:"privateDnsName"`
	DNSName            string   `xml:"dnsName"`
	Reason             string   `xml:"reason"`
	AmiLaunchIndex     int      `xml:"amiLaunchIndex"`
	InstanceType       string   `xml:"instanceType"`
	LaunchTime         string   `xml:"launchTime"`
	AvailabilityZone   string   `xml:"placement>availabilityZone"`
	Tenancy            string   `xml:"placement>tenancy"`
	Monitoring         string   `xml:"monitoring>state"`
	SubnetID           string   `xml:"subnetId,omitempty"`
	PrivateIPAddress   string   `xml:"privateIpAddress"`
	Architecture       string   `xml:"architecture"`
	RootDeviceType     string   `xml:"rootDeviceType"`
	RootDeviceName     string   `xml:"rootDeviceName"`
	VirtualizationType string   `xml:"virtualizationType"`
	Hypervisor         string   `xml:"hypervisor"`
}

type reservationXML struct {
	ReservationID string        `xml:"reservationId"`
	OwnerID       string        `xml:"ownerId"`
	Instances     []instanceXML `xml:"instancesSet>item"`
}

func (s *Server) instanceXML(in *instance, index int) instanceXML {
	return instanceXML{
		InstanceID: in.id, ImageID: in.imageID,
		State:          stateXML{in.state, stateNames[in.state]},
		PrivateDNSName: "ip-10-0-0-" + strconv.Itoa(10+index) + ".ec2.internal",
		AmiLaunchIndex: index, InstanceType: in.instanceType,
		LaunchTime:       in.launched.UTC().Format("2006-01-02T15:04:05.000Z"),
		AvailabilityZone: in.region + "a", Tenancy: "default", Monitoring: "disabled",
		SubnetID: in.subnetID, PrivateIPAddress: "10.0.0." + strconv.Itoa(10+index),
		Architecture: "x86_64", RootDeviceType: "ebs", RootDeviceName: "/dev/xvda",
		VirtualizationType: "hvm", Hypervisor: "xen",
	}
}

func (s *Server) runInstances(req *request) *apiError {
	p := req.params
	imageID := p.Get("ImageId")
	if imageID == "" {
		return &apiError{http.StatusBadRequest, "MissingParameter",
			"The request must contain the parameter ImageId"}
	}
	if !slices.ContainsFunc(s.Images, func(im Image) bool { return im.ImageID == imageID }) {
		return &apiError{http.StatusBadRequest, "InvalidAMIID.NotFound",
			"The image id '[" + imageID + "]' does not exist"}
	}
	count := 1
	if raw := p.Get("MaxCount"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 || n > 20 {
			return &apiError{http.StatusBadRequest, "InvalidParameterValue",
				"Value for parameter MaxCount is invalid: must be between 1 and 20"}
		}
		count = n
	}
	typ := p.Get("InstanceType")
	if typ == "" {
		typ = "m1.small"
	}

	s.mu.Lock()
	res := reservationXML{ReservationID: "r-" + randomString(lowerHex, 17), OwnerID: s.AccountID}
	now := s.nowLocked()
	for i := range count {
		in := &instance{
			id: "i-" + randomString(lowerHex, 17), reservation: res.ReservationID,
			imageID: imageID, instanceType: typ, subnetID: p.Get("SubnetId"),
			region: req.region, launched: now,
		}
		s.ec2.instances = append(s.ec2.instances, in)
		x := s.instanceXML(in, i)
		in.state = 16
		res.Instances = append(res.Instances, x)
	}
	s.mu.Unlock()
	writeXML(req.w, struct {
		XMLName xml.Name `xml:"RunInstancesResponse"`
		ec2Head
		reservationXML
	}{xml.Name{}, newEC2Head(), res})
	return nil
}

func (s *Server) describeInstances(req *request) *apiError {
	ids := listParam(req.params, "InstanceId", "")
	filters, e := ec2Filters(req, "instance-id", "instance-state-name", "image-id",
		"instance-type")
	if e != nil {
		return e
	}
	s.mu.Lock()
	for _, id := range ids {
		if s.ec2.find(id) == nil {
			s.mu.Unlock()
			return instanceNotFound(id)
		}
	}
	var out []reservationXML
	byID := map[string]int{}
	for _, in := range s.ec2.instances {
		fields := map[string]string{"instance-id": in.id, "image-id": in.imageID,
			"instance-state-name": stateNames[in.state], "instance-type": in.instanceType}
		if len(ids) > 0 && !slices.Contains(ids, in.id) || !filters.match(fields) {
			continue
		}
		i, ok := byID[in.reservation]
		if !ok {
			i = len(out)
			byID[in.reservation] = i
			out = append(out, reservationXML{ReservationID: in.reservation, OwnerID: s.AccountID})
		}
		out[i].Instances = append(out[i].Instances, s.instanceXML(in, len(out[i].Instances)))
	}
	s.mu.Unlock()
	writeXML(req.w, struct {
		XMLName xml.Name `xml:"DescribeInstancesResponse"`
		ec2Head
		Reservations []reservationXML `xml:"reservationSet>item"`
	}{xml.Name{}, newEC2Head(), out})
	return nil
}

func instanceNotFound(id string) *apiError {
	return &apiError{http.StatusBadRequest, "InvalidInstanceID.NotFound",
		"The instance ID '" + id + "' does not exist"}
}

func (st *ec2State) find(id string) *instance {
	for _, in := range st.instances {
		if in.id == id {
			return in
		}
	}
	return nil
}

func (s *Server) terminateInstances(req *request) *apiError {
	ids := listParam(req.params, "InstanceId", "")
	if len(ids) == 0 {
		return &apiError{http.StatusBadRequest, "MissingParameter",
			"The request must contain the parameter InstanceId"}
	}
	type change struct {
		InstanceID    string   `xml:"instanceId"`
		CurrentState  stateXML `xml:"currentState"`
		PreviousState stateXML `xml:"previousState"`
	}
	s.mu.Lock()
	for _, id := range ids {
		if s.ec2.find(id) == nil {
			s.mu.Unlock()
			return instanceNotFound(id)
		}
	}
	var out []change
	for _, id := range ids {
		in := s.ec2.find(id)
		prev := stateXML{in.state, stateNames[in.state]}
		cur := stateXML{32, stateNames[32]}
		if in.state == 48 {
			cur = prev
		}
		in.state = 48
		out = append(out, change{id, cur, prev})
	}
	s.mu.Unlock()
	writeXML(req.w, struct {
		XMLName xml.Name `xml:"TerminateInstancesResponse"`
		ec2Head
		Changes []change `xml:"instancesSet>item"`
	}{xml.Name{}, newEC2Head(), out})
	return nil
}
